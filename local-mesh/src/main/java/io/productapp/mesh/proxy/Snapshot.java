package io.productapp.mesh.proxy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.productapp.mesh.model.EnvoyFilter;
import io.productapp.mesh.model.EnvoyFilter.Context;
import io.productapp.mesh.model.Gateway;
import io.productapp.mesh.model.MeshConfig;
import io.productapp.mesh.route.ClusterRef;
import io.productapp.mesh.route.ClusterSpec;
import io.productapp.mesh.route.Router;

/**
 * What every proxy works from at one moment: the configuration in force, its router, and the
 * clusters it defines (resolved once per cluster, on first use). A new apply makes a new one;
 * requests already started finish with the one they began with.
 */
record Snapshot(MeshConfig config, Router router, Map<ClusterRef, Optional<ClusterSpec>> clusters) {

    static Snapshot of(MeshConfig config) {
        return new Snapshot(config, new Router(config), new ConcurrentHashMap<>());
    }

    Optional<ClusterSpec> cluster(ClusterRef ref) {
        return clusters.computeIfAbsent(ref, r -> ClusterSpec.of(r, config));
    }

    /** The Lua patches that run on a proxy of a workload with {@code labels}, in the {@code where} context, in order. */
    List<Lua> luaFor(Map<String, String> labels, String namespace, Context where) {
        return config.envoyFilters().stream()
                .filter(f -> f.origin().namespace().equals(namespace) && f.selects(labels))
                .flatMap(f -> f.luaPatches().stream().filter(p -> p.context().appliesTo(where)).map(p -> new Lua(f, p)))
                .toList();
    }

    /** A Lua patch of an EnvoyFilter; its key changes when the script does. */
    record Lua(EnvoyFilter filter, EnvoyFilter.Patch patch) {
        String key() {
            return filter.origin().namespace() + "/" + filter.name() + "#" + patch.index() + "@" + patch.luaSource().hashCode();
        }

        String describe() {
            return "EnvoyFilter " + filter.name() + " configPatches[" + patch.index() + "] (" + filter.origin().file() + ")";
        }
    }

    /** {@code namespace/name} of every Gateway whose selector matches an ingress gateway with {@code labels}. */
    java.util.Set<String> gatewaysSelecting(Map<String, String> labels) {
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        for (Gateway gateway : config.gateways()) {
            if (!gateway.selector().isEmpty() && labels.entrySet().containsAll(gateway.selector().entrySet())) {
                names.add(gateway.origin().namespace() + "/" + gateway.name());
            }
        }
        return names;
    }
}
