package io.productapp.mesh.proxy;

import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.productapp.mesh.model.VirtualService.Operations;
import io.vertx.core.MultiMap;

/** Header handling shared by the stages: what crosses a proxy, and a route's header operations. */
final class Headers {

    /** Headers of one connection, not of the request: a proxy never forwards them. */
    private static final AsciiString[] HOP_BY_HOP = Stream.of("connection", "keep-alive", "proxy-connection", "proxy-authorization",
            "proxy-authenticate", "te", "trailer", "transfer-encoding", "upgrade", "content-length", "host").map(AsciiString::of)
            .toArray(AsciiString[]::new);

    private Headers() {
    }

    /** Adds to {@code to} every header of {@code from} but the hop-by-hop ones; returns {@code to}. */
    static MultiMap endToEnd(MultiMap from, MultiMap to) {
        return copy(from, to, true);
    }

    /** Adds to {@code to} every header of {@code from}; returns {@code to}. */
    static MultiMap addAll(MultiMap from, MultiMap to) {
        return copy(from, to, false);
    }

    /**
     * From a Vert.x map (Netty's headers), names and values pass as they were read, with no String
     * made for each (as MultiMap's own addAll and iterator make them).
     */
    private static MultiMap copy(MultiMap from, MultiMap to, boolean endToEndOnly) {
        if (from instanceof HttpHeaders netty) {
            for (Iterator<Map.Entry<CharSequence, CharSequence>> i = netty.iteratorCharSequence(); i.hasNext();) {
                Map.Entry<CharSequence, CharSequence> header = i.next();
                if (!endToEndOnly || !isHopByHop(header.getKey())) {
                    to.add(header.getKey(), header.getValue());
                }
            }
        } else {
            for (Map.Entry<String, String> header : from) {
                if (!endToEndOnly || !isHopByHop(header.getKey())) {
                    to.add(header.getKey(), header.getValue());
                }
            }
        }
        return to;
    }

    /** Removes the hop-by-hop headers from {@code headers}, a map the caller owns; returns it. */
    static MultiMap dropHopByHop(MultiMap headers) {
        for (AsciiString name : HOP_BY_HOP) {
            headers.remove(name);
        }
        return headers;
    }

    /** Whether {@code name} is a hop-by-hop header, in any case. */
    private static boolean isHopByHop(CharSequence name) {
        for (AsciiString hop : HOP_BY_HOP) {
            if (hop.contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
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
}
