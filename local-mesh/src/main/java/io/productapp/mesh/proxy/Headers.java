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

    /**
     * Why {@code name: value} cannot go on the wire, or null when it can: a name must be an RFC 9110
     * token, and a value may hold no NUL, CR or LF (what Envoy's codecs refuse), so that no header a
     * filter sets can split a request.
     */
    static String invalid(String name, String value) {
        if (name.isEmpty()) {
            return "an empty header name";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= 0x20 || c >= 0x7f || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
                return "the header name '" + name + "' is not a token";
            }
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0 || c == '\r' || c == '\n') {
                return "the value of header '" + name + "' holds a NUL, CR or LF";
            }
        }
        return null;
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
