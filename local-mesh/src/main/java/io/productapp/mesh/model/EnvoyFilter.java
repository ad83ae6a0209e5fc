package io.productapp.mesh.model;

import java.util.List;
import java.util.Map;

/**
 * An EnvoyFilter: its patches, of which the local mesh runs the Lua HTTP filters
 * ({@code envoy.filters.http.lua} inserted into the HTTP filter chain), on the workloads its
 * {@code workloadSelector} names (every workload of the namespace when it names none), in the
 * traffic direction its match context says.
 */
public record EnvoyFilter(Origin origin, Map<String, String> workloadSelector, int priority, List<Patch> patches) {

    public EnvoyFilter {
        workloadSelector = Map.copyOf(workloadSelector);
        patches = List.copyOf(patches);
    }

    /** The patches that insert a Lua HTTP filter, in order. */
    public List<Patch> luaPatches() {
        return patches.stream().filter(p -> p.luaSource() != null).toList();
    }

    public String name() {
        return origin.name();
    }

    /** Where a patch applies: Istio's {@code PatchContext}. */
    public enum Context {
        /** WAYPOINT: an ambient mode waypoint proxy; the local mesh runs sidecars only, so no proxy here matches it. */
        ANY, SIDECAR_INBOUND, SIDECAR_OUTBOUND, GATEWAY, WAYPOINT;

        public boolean appliesTo(Context where) {
            return this == ANY || this == where;
        }
    }

    /**
     * One of {@code configPatches}: what it applies to ({@code HTTP_FILTER}), its operation
     * ({@code INSERT_BEFORE}; empty when the entry has no {@code patch}), its match context, and its
     * Lua source when it inserts a Lua filter.
     */
    public record Patch(int index, String applyTo, String operation, Context context, String luaSource) {
    }

    /** Whether the filter applies to a workload with these labels. */
    public boolean selects(Map<String, String> labels) {
        return labels.entrySet().containsAll(workloadSelector.entrySet());
    }
}
