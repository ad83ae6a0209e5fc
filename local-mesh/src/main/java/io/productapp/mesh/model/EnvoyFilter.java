package io.productapp.mesh.model;

import java.util.List;
import java.util.Map;

/**
 * An EnvoyFilter, as far as the local mesh runs it: Lua HTTP filters ({@code envoy.filters.http.lua}
 * inserted into the HTTP filter chain) on the workloads its {@code workloadSelector} names (every
 * workload of the namespace when it names none), in the traffic direction its match context says.
 */
public record EnvoyFilter(Origin origin, Map<String, String> workloadSelector, int priority, List<LuaPatch> luaPatches) {

    public EnvoyFilter {
        workloadSelector = Map.copyOf(workloadSelector);
        luaPatches = List.copyOf(luaPatches);
    }

    public String name() {
        return origin.name();
    }

    /** Where a patch applies: Istio's {@code PatchContext}. */
    public enum Context {
        ANY, SIDECAR_INBOUND, SIDECAR_OUTBOUND, GATEWAY;

        public boolean appliesTo(Context where) {
            return this == ANY || this == where;
        }
    }

    /** One Lua filter: its source code and the context it applies in. */
    public record LuaPatch(int index, Context context, String source) {
    }

    /** Whether the filter applies to a workload with these labels. */
    public boolean selects(Map<String, String> labels) {
        return labels.entrySet().containsAll(workloadSelector.entrySet());
    }
}
