package io.productapp.mesh.proxy;

import java.util.Map;
import java.util.Set;

import io.productapp.mesh.model.VirtualService.Operations;
import io.vertx.core.MultiMap;

/** Header handling shared by the stages: what crosses a proxy, and a route's header operations. */
final class Headers {

    /** Headers of one connection, not of the request: a proxy never forwards them. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "proxy-authorization",
            "proxy-authenticate", "te", "trailer", "transfer-encoding", "upgrade", "content-length", "host");

    private Headers() {
    }

    /** Adds to {@code to} every header of {@code from} but the hop-by-hop ones; returns {@code to}. */
    static MultiMap endToEnd(MultiMap from, MultiMap to) {
        for (Map.Entry<String, String> header : from) {
            if (!HOP_BY_HOP.contains(lower(header.getKey()))) {
                to.add(header.getKey(), header.getValue());
            }
        }
        return to;
    }

    /** A route's or destination's {@code remove}, {@code set} and {@code add}, in Envoy's order. */
    static void apply(Operations operations, MultiMap target) {
        if (operations == null || operations.isEmpty()) {
            return;
        }
        operations.remove().forEach(target::remove);
        operations.set().forEach(target::set);
        operations.add().forEach(target::add);
    }

    /** Lower case without a copy when the name already is (as HTTP/2 and most clients send it). */
    private static String lower(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return name.toLowerCase(java.util.Locale.ROOT);
            }
        }
        return name;
    }
}
