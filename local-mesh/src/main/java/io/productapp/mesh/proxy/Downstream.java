package io.productapp.mesh.proxy;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.IntPredicate;

import io.productapp.mesh.model.KubeService;
import io.productapp.mesh.route.RouteOutcome;
import io.productapp.mesh.route.RouteOutcome.Direct;
import io.productapp.mesh.route.RouteOutcome.Forward;
import io.productapp.mesh.route.RouteOutcome.WeightedCluster;
import io.productapp.mesh.route.RouteRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/**
 * One request as a proxy's connection manager holds it, as Envoy's ActiveStream does: the request
 * read from the caller (target, headers, body), the route (resolved once, and again after a filter
 * clears it), the HTTP filters run in Istio's order ({@link FaultFilter}, {@link LuaFilters},
 * {@link RouterFilter}), and the one answer that goes back. When the request completes, answered
 * or with its caller gone, its {@link StreamInfo} goes to the proxy's {@link Telemetry}, once.
 * <p>
 * Every random draw of the request (its weighted cluster, fault delay and abort, load balancing,
 * mirror share, retry back-off) comes from its own generator, split from the proxy's when the
 * request arrives: the draws of one request are independent of every other's.
 */
final class Downstream {

    /** Request bodies are read whole (for retries and mirrors, as Envoy buffers them); past this, 413. */
    static final int MAX_REQUEST_BODY = 1024 * 1024;
    /** Request headers at most, as Envoy's default max_headers_count; past this, 431. */
    static final int MAX_HEADERS = 100;
    private static final Buffer EMPTY = Buffer.buffer(0);

    private final Proxy proxy;
    private final HttpServerRequest request;
    private final StreamInfo info = new StreamInfo();
    private final SplittableRandom random;
    private final HttpFilter[] filters;
    private int next;
    private boolean complete;
    /** The answer is a refusal after which an HTTP/1 connection is closed: its next bytes are no request to trust. */
    private boolean closeConnection;

    private String path;
    private int port;
    private MultiMap headers;
    private Buffer body = EMPTY;
    private Snapshot snapshot;
    private RouteOutcome route;
    private WeightedCluster cluster;

    Downstream(Proxy proxy, HttpServerRequest request) {
        this.proxy = proxy;
        this.request = request;
        this.random = proxy.random().split();
        this.filters = new HttpFilter[] { new FaultFilter(), LuaFilters.INSTANCE, new RouterFilter() };
    }

    // ---- the request as it came --------------------------------------------------------------------

    void start() {
        proxy.plane().started();
        info.method = request.method().name();
        info.protocol = request.version() == HttpVersion.HTTP_2 ? "HTTP/2" : request.version() == HttpVersion.HTTP_1_0 ? "HTTP/1.0"
                : "HTTP/1.1";
        info.downstreamLocal = request.localAddress();
        info.downstreamRemote = request.remoteAddress();
        request.response().closeHandler(v -> downstreamGone());
        info.path = request.uri();
        if (!acceptable() || !target()) {
            return;
        }
        String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null && parseLong(declared) > MAX_REQUEST_BODY) {
            refuse(413, "payload too large", "request_payload_too_large");
            return;
        }
        headers = Headers.endToEnd(request.headers(), MultiMap.caseInsensitiveMultiMap());
        String requestId = headers.get("x-request-id");
        if (requestId == null) {
            requestId = requestId(random);
            headers.set("x-request-id", requestId);
        }
        info.requestId = requestId;
        info.userAgent = headers.get("user-agent");
        info.forwardedFor = headers.get("x-forwarded-for");
        request.handler(chunk -> {
            if (body.length() + chunk.length() > MAX_REQUEST_BODY) {
                refuse(413, "payload too large", "request_payload_too_large");
            } else {
                body = body == EMPTY ? chunk.copy() : body.appendBuffer(chunk);
            }
        });
        request.exceptionHandler(e -> downstreamGone());
        request.endHandler(v -> {
            if (!complete) {
                info.bytesReceived = body.length();
                snapshot = proxy.plane().snapshot();
                continueDecoding();
            }
        });
    }

    /**
     * What Envoy's HTTP/1 codec refuses before a request is routed, and CONNECT, which no route here
     * upgrades: each answered, then an HTTP/1 connection closed, so that no byte after it (a body
     * framed another way, a tunnel's payload) is ever read as a request.
     */
    private boolean acceptable() {
        MultiMap in = request.headers();
        List<String> codings = in.getAll(HttpHeaders.TRANSFER_ENCODING);
        if (!codings.isEmpty() && (codings.size() > 1 || !codings.get(0).trim().equalsIgnoreCase("chunked")
                || request.method() == HttpMethod.CONNECT)) {
            // Envoy decodes chunked alone; anything else leaves the body's length unknown (RFC 9112 6.3).
            return refuse(501, "local mesh: unsupported transfer encoding '" + abbreviate(String.join(", ", codings)) + "'",
                    "http1.invalid_transfer_encoding");
        }
        String length = in.get(HttpHeaders.CONTENT_LENGTH);
        if (request.method() == HttpMethod.CONNECT && length != null && parseLong(length) != 0) {
            return refuse(400, "local mesh: a CONNECT request has no body", "http1.body_disallowed");
        }
        if (in.contains("")) {
            return refuse(400, "local mesh: a header with no name", "http1.invalid_characters"); // Netty lets \": v\" through
        }
        if (moreThan(in, MAX_HEADERS)) {
            return refuse(431, "local mesh: more than " + MAX_HEADERS + " request headers", "http1.too_many_headers");
        }
        if (request.method() == HttpMethod.CONNECT) {
            return refuse(403, "local mesh: CONNECT is not supported; send plain http:// requests through the sidecar", "upgrade_failed");
        }
        if (!isTarget(request.uri())) {
            return refuse(400, "local mesh: malformed request target: control or non-ASCII characters", "http1.invalid_url");
        }
        List<String> hosts = in.getAll(HttpHeaders.HOST);
        if (hosts.size() > 1) {
            return refuse(400, "local mesh: more than one Host header", "http.invalid_authority"); // RFC 9112 3.2
        }
        if (hosts.size() == 1 && !isAuthority(hosts.get(0))) {
            return refuse(400, "local mesh: the Host '" + abbreviate(hosts.get(0)) + "' is not host[:port]", "http.invalid_authority");
        }
        return true;
    }

    /** Whether {@code headers} has more than {@code max} entries, counted without copying them (as entries() does). */
    private static boolean moreThan(MultiMap headers, int max) {
        int n = 0;
        for (Map.Entry<String, String> ignored : headers) {
            if (++n > max) {
                return true;
            }
        }
        return false;
    }

    /** Where the request goes: from the absolute URI a proxied client sends, or from Host. */
    private boolean target() {
        String uri = request.uri();
        String authority;
        if (uri.regionMatches(true, 0, "http://", 0, 7)) {
            int slash = uri.indexOf('/', 7);
            authority = slash < 0 ? uri.substring(7) : uri.substring(7, slash);
            path = slash < 0 ? "/" : uri.substring(slash);
            info.path = path;
            if (!isAuthority(authority)) {
                return refuse(400, "local mesh: malformed request target: the authority '" + abbreviate(authority) + "' is not host[:port]",
                        "http1.invalid_url");
            }
        } else if (uri.startsWith("/")) {
            authority = request.host(); // the Host header, or HTTP/2's :authority
            if (authority != null && !authority.isBlank() && !isAuthority(authority)) {
                return refuse(400, "local mesh: the authority '" + abbreviate(authority) + "' is not host[:port]", "http.invalid_authority");
            }
            path = uri;
        } else {
            sendLocalReply(400, "local mesh: cannot route the request target '" + abbreviate(uri) + "'", null, null);
            return false;
        }
        if (authority == null || authority.isBlank()) {
            sendLocalReply(400, "local mesh: the request names no host (no Host header)", null, null);
            return false;
        }
        info.authority = authority;
        if (proxy.identity().kind() == Proxy.Kind.INGRESS) {
            port = proxy.identity().gatewayPort();
        } else {
            int colon = authority.lastIndexOf(':');
            // the authority is host[:port] by now
            port = colon > 0 && !authority.endsWith("]") ? Integer.parseInt(authority, colon + 1, authority.length(), 10) : 80;
        }
        return true;
    }

    // ---- the filter chain ---------------------------------------------------------------------------

    /** Runs the filters from the next one on, until one stops the chain or the request completes. */
    void continueDecoding() {
        while (!complete && next < filters.length) {
            if (!filters[next++].decode(this)) {
                return;
            }
        }
    }

    /**
     * The route for the request as it is now, resolved on first use: the router's outcome and, for a
     * forwarded request, its weighted cluster drawn as Envoy draws it when it resolves the route.
     */
    RouteOutcome route() {
        if (route == null) {
            route = snapshot.router().route(new RouteRequest(proxy.source(snapshot), info.authority, port, info.method, path, "http",
                    name -> {
                        List<String> all = headers.getAll(name);
                        return all.isEmpty() ? null : all.size() == 1 ? all.get(0) : String.join(",", all);
                    }));
            cluster = null;
            info.routeName = null;
            info.cluster = null;
            if (route instanceof Forward forward) {
                cluster = forward.action().pick(random);
                info.routeName = forward.action().routeName();
                info.cluster = cluster.cluster() == null ? null : cluster.cluster().toString();
            } else if (route instanceof Direct direct) {
                info.routeName = direct.routeName();
            }
            info.service = cluster != null && cluster.cluster() != null ? cluster.cluster().host()
                    : snapshot.config().service(info.authority, proxy.identity().namespace()).map(KubeService::fqdn).orElse(null);
        }
        return route;
    }

    /** The weighted cluster of the {@link #route()}, for a forwarded request. */
    WeightedCluster cluster() {
        route();
        return cluster;
    }

    /** A filter changed what the route depends on (Envoy's clearRouteCache): the next {@link #route()} resolves again. */
    void clearRouteCache() {
        route = null;
    }

    // ---- the answer ---------------------------------------------------------------------------------

    /** Answers with a text body (none when empty); {@code flag}, when given, goes on the record. */
    void sendLocalReply(int status, String text, String details, ResponseFlag flag) {
        if (flag != null) {
            info.flag(flag);
        }
        MultiMap replyHeaders = null;
        if (!text.isEmpty()) {
            replyHeaders = MultiMap.caseInsensitiveMultiMap().set("content-type", "text/plain");
        }
        respond(status, replyHeaders, Buffer.buffer(text), details);
    }

    /** A local reply that refuses the request, then closes an HTTP/1 connection; false, for the caller to return. */
    private boolean refuse(int status, String text, String details) {
        closeConnection = true;
        sendLocalReply(status, text, details, null);
        return false;
    }

    /** The one answer to the caller; later calls do nothing. */
    void respond(int status, MultiMap responseHeaders, Buffer responseBody, String details) {
        if (complete) {
            return;
        }
        complete(status, details, responseBody.length()); // before the answer leaves, so its log line is there once the caller has it
        HttpServerResponse response = request.response();
        if (!response.closed() && !response.ended()) {
            response.setStatusCode(status);
            if (responseHeaders != null) {
                Headers.addAll(responseHeaders, response.headers());
            }
            if (closeConnection && request.version() != HttpVersion.HTTP_2) {
                proxy.closeAfterRefusal(request.connection());
                response.putHeader(HttpHeaders.CONNECTION, "close");
                response.end(responseBody);
                request.connection().close(); // after the answer is written
            } else {
                response.end(responseBody);
            }
        }
    }

    private void downstreamGone() {
        if (!complete) {
            info.flag(ResponseFlag.DC);
            complete(0, "downstream_remote_disconnect", 0);
        }
    }

    private void complete(int status, String details, long bytesSent) {
        complete = true;
        info.status = status;
        info.details = details;
        info.bytesSent = bytesSent;
        info.endNanos = System.nanoTime();
        try {
            for (HttpFilter filter : filters) {
                filter.onDestroy();
            }
        } finally { // a filter that fails as it lets go still leaves the request recorded and no longer in flight
            proxy.telemetry().completed(info);
            proxy.plane().ended();
        }
    }

    // ---- what the filters read ----------------------------------------------------------------------

    boolean isComplete() {
        return complete;
    }

    Proxy proxy() {
        return proxy;
    }

    StreamInfo info() {
        return info;
    }

    SplittableRandom random() {
        return random;
    }

    Snapshot snapshot() {
        return snapshot;
    }

    /** The request's end-to-end headers; filters may change them. */
    MultiMap headers() {
        return headers;
    }

    Buffer body() {
        return body;
    }

    HttpMethod method() {
        return request.method();
    }

    /** The path as the caller sent it. */
    String path() {
        return path;
    }

    String authority() {
        return info.authority;
    }

    // ---- parsing ------------------------------------------------------------------------------------

    /**
     * host[:port]: a name of letters, digits, dots, dashes and underscores, or an IPv6 literal in
     * brackets; a port of 1 to 5 digits up to 65535.
     */
    static boolean isAuthority(String text) {
        int hostEnd;
        if (text.startsWith("[")) {
            hostEnd = text.indexOf(']') + 1;
            if (hostEnd < 3 || !all(text, 1, hostEnd - 1, Downstream::isIpv6Char)) {
                return false;
            }
        } else {
            hostEnd = text.indexOf(':') < 0 ? text.length() : text.indexOf(':');
            if (hostEnd == 0 || !all(text, 0, hostEnd, Downstream::isNameChar)) {
                return false;
            }
        }
        if (hostEnd == text.length()) {
            return true;
        }
        int digits = text.length() - hostEnd - 1;
        return text.charAt(hostEnd) == ':' && digits >= 1 && digits <= 5 && all(text, hostEnd + 1, text.length(), Downstream::isDigit)
                && Integer.parseInt(text, hostEnd + 1, text.length(), 10) <= 65535;
    }

    /** A request target of visible ASCII only: no control characters, no bytes over 0x7E (RFC 9112 3.2, RFC 3986). */
    static boolean isTarget(String uri) {
        return uri != null && all(uri, 0, uri.length(), Downstream::isVisibleAscii);
    }

    /** Whether the characters of {@code text} from {@code from} to {@code to} are all {@code allowed}. */
    private static boolean all(String text, int from, int to, IntPredicate allowed) {
        for (int i = from; i < to; i++) {
            if (!allowed.test(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    /** A letter, digit, dot, dash or underscore: what a host name here is made of. */
    private static boolean isNameChar(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '.' || c == '-' || c == '_';
    }

    /** What an IPv6 literal is made of: hex digits, colons and dots. */
    private static boolean isIpv6Char(int c) {
        return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.';
    }

    private static boolean isVisibleAscii(int c) {
        return c > 0x20 && c < 0x7f;
    }

    /** A version-4 UUID, as Envoy makes for a request that has none, from the request's generator (not SecureRandom). */
    static String requestId(SplittableRandom random) {
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    private static long parseLong(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }
}
