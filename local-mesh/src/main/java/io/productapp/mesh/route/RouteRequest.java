package io.productapp.mesh.route;

import java.util.Locale;
import java.util.Map;

/**
 * A request as a proxy describes it to the router: who sends it (a sidecar's workload, or a
 * gateway) and what it asks for.
 *
 * @param source the proxy's workload: its labels and namespace, and the gateways it plays
 *        ({@code mesh} for a sidecar; for an ingress gateway, {@code namespace/name} of each
 *        Gateway that selects it)
 * @param authority the {@code Host} header as sent ({@code catalogdetail:3000})
 * @param port the port the request was sent to (the Service port a sidecar intercepted)
 * @param method {@code GET}, ...
 * @param path the path with its query string, as sent
 * @param scheme {@code http}
 * @param headers the request's headers
 */
public record RouteRequest(Source source, String authority, int port, String method, String path, String scheme,
        Headers headers) {

    /** The proxy that routes: its workload's labels and namespace, and the gateways it plays. */
    public record Source(java.util.Set<String> gateways, String namespace, Map<String, String> labels) {
        public Source {
            gateways = java.util.Set.copyOf(gateways);
            labels = Map.copyOf(labels);
        }

        /** A sidecar of a workload with these labels. */
        public static Source sidecar(String namespace, Map<String, String> labels) {
            return new Source(java.util.Set.of(io.productapp.mesh.model.VirtualService.MESH), namespace, labels);
        }

        public boolean isSidecar() {
            return gateways.contains(io.productapp.mesh.model.VirtualService.MESH);
        }
    }

    /** Request headers by lower-case name; several values of one header are joined with {@code ,}, as Envoy matches them. */
    @FunctionalInterface
    public interface Headers {
        /** The header's value(s) joined with {@code ,}, or null when absent. {@code name} is lower case. */
        String get(String name);

        static Headers of(Map<String, String> headers) {
            Map<String, String> lower = new java.util.HashMap<>();
            headers.forEach((k, v) -> lower.merge(k.toLowerCase(Locale.ROOT), v, (a, b) -> a + "," + b));
            return lower::get;
        }
    }

    /** The path without its query string. */
    public String pathOnly() {
        int query = path.indexOf('?');
        return query < 0 ? path : path.substring(0, query);
    }

    /** The first value of a query parameter, or null. */
    public String queryParam(String name) {
        int query = path.indexOf('?');
        if (query < 0) {
            return null;
        }
        for (String pair : path.substring(query + 1).split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equals(name)) {
                return eq < 0 ? "" : pair.substring(eq + 1);
            }
        }
        return null;
    }
}
