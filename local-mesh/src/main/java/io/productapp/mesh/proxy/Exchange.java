package io.productapp.mesh.proxy;

import java.net.ConnectException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

import org.luaj.vm2.LuaError;

import io.productapp.mesh.model.VirtualService.Operations;
import io.productapp.mesh.route.ClusterSpec;
import io.productapp.mesh.route.Endpoint;
import io.productapp.mesh.route.RetryPolicy;
import io.productapp.mesh.route.RetryPolicy.Reset;
import io.productapp.mesh.route.RouteOutcome;
import io.productapp.mesh.route.RouteOutcome.Direct;
import io.productapp.mesh.route.RouteOutcome.Forward;
import io.productapp.mesh.route.RouteOutcome.MirrorTarget;
import io.productapp.mesh.route.RouteOutcome.NoRoute;
import io.productapp.mesh.route.RouteOutcome.RouteAction;
import io.productapp.mesh.route.RouteOutcome.UnknownHost;
import io.productapp.mesh.route.RouteOutcome.WeightedCluster;
import io.productapp.mesh.route.RouteRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;

/**
 * One request through a proxy, in the order of Istio's HTTP filter chain: the fault filter on the
 * route chosen from the request as it came (delay, then abort), the Lua filters (which may change
 * headers, and so the route), then the router: cluster by weight, endpoint by locality and load
 * balancing, circuit breakers, the mirror copies, tries with per-try timeouts and retries, all
 * within the route timeout. Ends with one answer downstream, one access-log line and the counters.
 */
final class Exchange {

    /** Request bodies are read whole (for retries and mirrors, as Envoy buffers them); past this, 413. */
    static final int MAX_REQUEST_BODY = 1024 * 1024;
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "proxy-authorization",
            "proxy-authenticate", "te", "trailer", "transfer-encoding", "upgrade", "content-length", "host");
    private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final String OVERFLOW = "upstream connect error or disconnect/reset before headers. reset reason: overflow";

    private final Proxy proxy;
    private final HttpServerRequest request;
    private final long start = System.nanoTime();
    private final long startMillis = System.currentTimeMillis();
    private final Set<String> flags = new LinkedHashSet<>();
    private final Set<String> tried = new LinkedHashSet<>();

    private String authority;
    private String path;
    private int port;
    private MultiMap headers;
    private Buffer body = Buffer.buffer();
    private Snapshot snapshot;

    private RouteAction action;
    private String routeName;
    private String clusterName = "-";
    private ClusterSpec spec;
    private ClusterState cluster;
    private List<Endpoint> endpoints = List.of();
    private String upstreamPath;
    private String upstreamAuthority;
    private RetryPolicy retry = RetryPolicy.NONE;
    private int tries;
    private Endpoint lastEndpoint;
    private HttpClientRequest inFlight;
    private Runnable waiting;
    private boolean perTryTimedOut;
    private long perTryTimer = -1;
    private long routeTimer = -1;
    private long upstreamServiceMillis = -1;
    private boolean done;

    Exchange(Proxy proxy, HttpServerRequest request) {
        this.proxy = proxy;
        this.request = request;
    }

    // ---- the request as it came --------------------------------------------------------------------

    void start() {
        request.response().closeHandler(v -> downstreamGone());
        if (request.method() == HttpMethod.CONNECT) {
            localReply(405, "local mesh: CONNECT is not supported; send plain http:// requests through the sidecar", null);
            return;
        }
        if (!target()) {
            return;
        }
        String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null && parseLong(declared) > MAX_REQUEST_BODY) {
            localReply(413, "payload too large", null);
            return;
        }
        headers = withoutHopByHop(request.headers());
        if (!headers.contains("x-request-id")) {
            headers.set("x-request-id", requestId(proxy.random()));
        }
        request.handler(chunk -> {
            if (body.length() + chunk.length() > MAX_REQUEST_BODY) {
                if (!done) {
                    localReply(413, "payload too large", null);
                }
            } else {
                body.appendBuffer(chunk);
            }
        });
        request.exceptionHandler(e -> downstreamGone());
        request.endHandler(v -> {
            if (!done) {
                route();
            }
        });
    }

    /** Where the request goes: from the absolute URI a proxied client sends, or from Host. */
    private boolean target() {
        String uri = request.uri();
        Proxy.Identity identity = proxy.identity();
        if (uri.regionMatches(true, 0, "http://", 0, 7)) {
            int slash = uri.indexOf('/', 7);
            authority = slash < 0 ? uri.substring(7) : uri.substring(7, slash);
            path = slash < 0 ? "/" : uri.substring(slash);
            if (!isAuthority(authority)) {
                localReply(400, "local mesh: malformed request target: the authority '" + abbreviate(authority)
                        + "' is not host[:port]", null);
                return false;
            }
        } else if (uri.startsWith("/")) {
            authority = request.host(); // the Host header, or HTTP/2's :authority
            path = uri;
        } else {
            localReply(400, "local mesh: cannot route the request target '" + abbreviate(uri) + "'", null);
            return false;
        }
        if (authority == null || authority.isBlank()) {
            localReply(400, "local mesh: the request names no host (no Host header)", null);
            return false;
        }
        if (identity.kind() == Proxy.Kind.INGRESS) {
            port = identity.gatewayPort();
        } else {
            int colon = authority.lastIndexOf(':');
            port = colon > 0 && !authority.endsWith("]") ? (int) parseLong(authority.substring(colon + 1)) : 80;
        }
        return true;
    }

    // ---- route, fault, Lua --------------------------------------------------------------------------

    private RouteOutcome routeNow() {
        return snapshot.router().route(new RouteRequest(proxy.source(snapshot), authority, port, request.method().name(), path,
                "http", name -> {
                    List<String> all = headers.getAll(name);
                    return all.isEmpty() ? null : all.size() == 1 ? all.get(0) : String.join(",", all);
                }));
    }

    private void route() {
        snapshot = proxy.plane().snapshot();
        RouteOutcome first = routeNow();
        // The fault filter comes first in Istio's chain, on the route chosen from the request as it came.
        if (first instanceof Forward forward) {
            Duration delay = forward.action().rollDelay(proxy.random());
            int abort = forward.action().rollAbort(proxy.random());
            if (delay != null) {
                flags.add("DI");
                count(forward.action().clusters().get(0).cluster() == null ? "-" : forward.action().clusters().get(0).cluster().toString(),
                        "-", "fault delay");
                proxy.vertx().setTimer(Math.max(1, delay.toMillis()), t -> {
                    if (!done) {
                        afterFault(first, abort);
                    }
                });
                return;
            }
            afterFault(first, abort);
        } else {
            afterFault(first, 0);
        }
    }

    private void afterFault(RouteOutcome first, int abort) {
        if (abort > 0) {
            flags.add("FI");
            routeName = ((Forward) first).action().routeName();
            count(((Forward) first).action().clusters().get(0).cluster() == null ? "-"
                    : ((Forward) first).action().clusters().get(0).cluster().toString(), "-", "fault abort");
            localReply(abort, "fault filter abort", "fault_filter_abort");
            return;
        }
        RouteOutcome outcome = first;
        try {
            LuaFilter.Outcome lua = proxy.runLua(snapshot, headers);
            if (lua.reply() != null) {
                finish(lua.reply().status(), lua.reply().headers(), Buffer.buffer(lua.reply().body()), "lua_response");
                return;
            }
            if (lua.headersChanged()) {
                outcome = routeNow(); // Envoy's Lua filter clears the route cache when it changes headers
            }
        } catch (LuaError e) {
            localReply(500, "local mesh: Lua filter failed: " + e.getMessage(), "lua_error");
            return;
        }
        if (outcome instanceof NoRoute) {
            flags.add("NR");
            localReply(404, "", "route_not_found");
        } else if (outcome instanceof UnknownHost unknown) {
            localReply(502, "local mesh: no Service is known by the host " + unknown.host()
                    + " (the local mesh cannot pass requests through to addresses outside it)", "direct_response");
        } else if (outcome instanceof Direct direct) {
            routeName = direct.routeName();
            MultiMap replyHeaders = MultiMap.caseInsensitiveMultiMap();
            direct.headers().forEach(replyHeaders::set);
            finish(direct.status(), replyHeaders, Buffer.buffer(direct.body()), "direct_response");
        } else {
            forward(((Forward) outcome).action());
        }
    }

    // ---- router -----------------------------------------------------------------------------------

    private void forward(RouteAction routeAction) {
        action = routeAction;
        routeName = routeAction.routeName();
        WeightedCluster chosen = routeAction.pick(proxy.random());
        if (chosen.notFound() != null || snapshot.cluster(chosen.cluster()).isEmpty()) {
            clusterName = chosen.cluster() == null ? "-" : chosen.cluster().toString();
            flags.add("NC");
            localReply(503, "", "cluster_not_found");
            return;
        }
        spec = snapshot.cluster(chosen.cluster()).get();
        clusterName = spec.ref().toString();
        cluster = proxy.cluster(spec);
        endpoints = proxy.plane().endpoints();
        retry = routeAction.retryPolicy();
        upstreamPath = routeAction.rewritePath(path);
        if (!upstreamPath.equals(path)) {
            headers.set("x-envoy-original-path", path);
        }
        upstreamAuthority = routeAction.rewrite() != null && routeAction.rewrite().authority() != null
                ? routeAction.rewrite().authority() : authority;
        apply(routeAction.headers().request(), headers);
        apply(chosen.headers().request(), headers);
        if (routeAction.timeout() != null && !routeAction.timeout().isZero()) {
            routeTimer = proxy.vertx().setTimer(Math.max(1, routeAction.timeout().toMillis()), t -> routeTimedOut());
        }
        nextTry();
    }

    private void nextTry() {
        Endpoint endpoint = cluster.pick(proxy.identity().locality(), endpoints, tried, retry.previousHosts(), proxy.random());
        if (endpoint == null) {
            flags.add("UH");
            localReply(503, "no healthy upstream", "no_healthy_upstream");
            return;
        }
        if (tries == 0) {
            sendMirrors();
        }
        waiting = () -> {
            waiting = null;
            send(endpoint);
        };
        Runnable go = waiting;
        if (!cluster.admit(go)) {
            waiting = null;
            flags.add("UO");
            MultiMap overloaded = MultiMap.caseInsensitiveMultiMap().set("x-envoy-overloaded", "true");
            finish(503, overloaded, Buffer.buffer(OVERFLOW), "upstream_reset_before_response_started{overflow}");
        }
    }

    private void send(Endpoint endpoint) {
        if (done) {
            cluster.release();
            return;
        }
        tries++;
        tried.add(endpoint.name());
        lastEndpoint = endpoint;
        perTryTimedOut = false;
        cluster.started(endpoint);
        count(clusterName, endpoint.name(), "requests");
        // The request's own headers go upstream as they are, with what Envoy adds (one try at a time).
        MultiMap upstream = headers
                .set("host", upstreamAuthority)
                .set("x-forwarded-proto", "http")
                .set("x-envoy-attempt-count", String.valueOf(tries));
        if (spec.connectionPool().maxRequestsPerConnection() == 1) {
            upstream.set("connection", "close");
        }
        Duration connectTimeout = spec.connectionPool().connectTimeout() != null ? spec.connectionPool().connectTimeout()
                : DEFAULT_CONNECT_TIMEOUT;
        RequestOptions options = new RequestOptions().setMethod(request.method()).setHost(endpoint.host()).setPort(endpoint.port())
                .setURI(upstreamPath).setHeaders(upstream).setConnectTimeout(connectTimeout.toMillis());
        if (retry.perTryTimeout() != null) {
            perTryTimer = proxy.vertx().setTimer(Math.max(1, retry.perTryTimeout().toMillis()), t -> {
                perTryTimedOut = true;
                if (inFlight != null) {
                    inFlight.reset();
                }
            });
        }
        long sent = System.nanoTime();
        proxy.client().request(options)
                .compose(opened -> {
                    inFlight = opened;
                    if (perTryTimedOut || done) {
                        opened.reset();
                    }
                    return opened.send(body);
                })
                .compose(response -> response.body().map(answer -> new Answer(response, answer)))
                .onComplete(result -> {
                    inFlight = null;
                    proxy.vertx().cancelTimer(perTryTimer);
                    cluster.finished(endpoint);
                    cluster.release();
                    if (result.succeeded()) {
                        answered(endpoint, result.result(), (System.nanoTime() - sent) / 1_000_000);
                    } else {
                        failed(endpoint, result.cause());
                    }
                });
    }

    private record Answer(HttpClientResponse response, Buffer body) {
    }

    private void answered(Endpoint endpoint, Answer answer, long serviceMillis) {
        int status = answer.response().statusCode();
        count(clusterName, endpoint.name(), status / 100 + "xx");
        if (cluster.record(endpoint, status, System.nanoTime())) {
            ejected(endpoint);
        }
        if (done) {
            return;
        }
        if (retry.retriesStatus(status) && mayRetry()) {
            retryAfterBackoff();
            return;
        }
        if (tries > 1 && retry.retriesStatus(status)) {
            flags.add("URX");
        }
        upstreamServiceMillis = serviceMillis;
        MultiMap responseHeaders = withoutHopByHop(answer.response().headers());
        responseHeaders.set("x-envoy-upstream-service-time", String.valueOf(serviceMillis));
        finish(status, responseHeaders, answer.body(), "via_upstream");
    }

    private void failed(Endpoint endpoint, Throwable cause) {
        Reset reset = perTryTimedOut ? Reset.PER_TRY_TIMEOUT : isConnectFailure(cause) ? Reset.CONNECT_FAILURE : Reset.RESET;
        int asStatus = reset == Reset.PER_TRY_TIMEOUT ? 504 : 503;
        count(clusterName, endpoint.name(), reset == Reset.PER_TRY_TIMEOUT ? "flag UT" : reset == Reset.CONNECT_FAILURE ? "flag UF" : "flag UC");
        if (cluster.record(endpoint, asStatus, System.nanoTime())) {
            ejected(endpoint);
        }
        if (done) {
            return;
        }
        if (retry.retriesReset(reset) && mayRetry()) {
            retryAfterBackoff();
            return;
        }
        if (tries > 1 && retry.retriesReset(reset)) {
            flags.add("URX");
        }
        switch (reset) {
            case PER_TRY_TIMEOUT -> {
                flags.add("UT");
                localReply(504, "upstream request timeout", "upstream_per_try_timeout");
            }
            case CONNECT_FAILURE -> {
                flags.add("UF");
                localReply(503, "upstream connect error or disconnect/reset before headers. reset reason: connection failure",
                        "upstream_reset_before_response_started{connection_failure}");
            }
            default -> {
                flags.add("UC");
                localReply(503, "upstream connect error or disconnect/reset before headers. reset reason: connection termination",
                        "upstream_reset_before_response_started{connection_termination}");
            }
        }
    }

    private void ejected(Endpoint endpoint) {
        count(clusterName, endpoint.name(), "ejections");
        proxy.plane().traffic().ejected(proxy.label(), endpoint.name(), cluster.returnsAt(endpoint));
    }

    private static boolean isConnectFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    private boolean mayRetry() {
        if (tries > retry.retries()) {
            return false;
        }
        if (!cluster.admitRetry()) {
            flags.add("UO"); // the retry circuit breaker: the answer goes back as it is
            return false;
        }
        return true;
    }

    private void retryAfterBackoff() {
        count(clusterName, "-", "retries");
        long wait = retry.backoff(tries, proxy.random()).toMillis();
        Runnable again = () -> {
            cluster.retryDone();
            if (!done) {
                nextTry();
            }
        };
        if (wait <= 0) {
            again.run();
        } else {
            proxy.vertx().setTimer(wait, t -> again.run());
        }
    }

    private void routeTimedOut() {
        if (done) {
            return;
        }
        if (waiting != null && cluster.withdraw(waiting)) {
            waiting = null;
        }
        HttpClientRequest stalled = inFlight;
        flags.add("UT");
        localReply(504, "upstream request timeout", "upstream_response_timeout");
        if (stalled != null) {
            stalled.reset(); // after the answer is decided, so the reset is not taken for the upstream's
        }
    }

    // ---- mirrors ------------------------------------------------------------------------------------

    /** Fire-and-forget copies: sent once, before the first try; answers discarded; never retried. */
    private void sendMirrors() {
        for (MirrorTarget mirror : action.mirrors()) {
            if (mirror.cluster() == null || !mirror.roll(proxy.random())) {
                continue;
            }
            snapshot.cluster(mirror.cluster()).ifPresent(mirrorSpec -> {
                ClusterState mirrorCluster = proxy.cluster(mirrorSpec);
                Endpoint endpoint = mirrorCluster.pick(proxy.identity().locality(), proxy.plane().endpoints(), Set.of(), false,
                        proxy.random());
                if (endpoint == null) {
                    return;
                }
                String mirrorCluster0 = mirrorSpec.ref().toString();
                count(mirrorCluster0, endpoint.name(), "mirrored");
                MultiMap copy = MultiMap.caseInsensitiveMultiMap().addAll(headers).set("host", upstreamAuthority)
                        .set("x-forwarded-proto", "http");
                RequestOptions options = new RequestOptions().setMethod(request.method()).setHost(endpoint.host())
                        .setPort(endpoint.port()).setURI(upstreamPath).setHeaders(copy)
                        .setConnectTimeout(DEFAULT_CONNECT_TIMEOUT.toMillis())
                        .setIdleTimeout(action.timeout() != null ? action.timeout().toMillis() : 30_000);
                mirrorCluster.started(endpoint);
                long sent = System.nanoTime();
                proxy.client().request(options)
                        .compose(opened -> opened.send(body))
                        .compose(response -> response.body().map(discarded -> response.statusCode()))
                        .onComplete(result -> {
                            mirrorCluster.finished(endpoint);
                            proxy.edge(endpoint.name(), TrafficWindow.Traffic.MIRRORED)
                                    .record(result.succeeded() ? result.result() : 0, List.of(), System.nanoTime() - sent, 0);
                        });
            });
        }
    }

    // ---- the answer ---------------------------------------------------------------------------------

    private void localReply(int status, String text, String details) {
        MultiMap replyHeaders = MultiMap.caseInsensitiveMultiMap();
        if (!text.isEmpty()) {
            replyHeaders.set("content-type", "text/plain");
        }
        finish(status, replyHeaders, Buffer.buffer(text), details);
    }

    private void finish(int status, MultiMap responseHeaders, Buffer responseBody, String details) {
        if (done) {
            return;
        }
        done = true;
        proxy.vertx().cancelTimer(routeTimer);
        count("-", "-", "exchanges");
        if (action != null) {
            apply(action.headers().response(), responseHeaders);
        }
        String flag = String.join(",", flags);
        flags.forEach(f -> count(clusterName, lastEndpoint == null ? "-" : lastEndpoint.name(), "flag " + f));
        if (headers != null) {
            log(status, flag, details, responseBody.length()); // before the answer leaves, so it is there once the caller has it
            served(status);
        }
        HttpServerResponse response = request.response();
        if (!response.closed() && !response.ended()) {
            response.setStatusCode(status);
            response.headers().addAll(responseHeaders);
            response.end(responseBody);
        }
    }

    private void downstreamGone() {
        if (done) {
            return;
        }
        done = true;
        proxy.vertx().cancelTimer(routeTimer);
        if (waiting != null && cluster != null && cluster.withdraw(waiting)) {
            waiting = null;
        }
        if (inFlight != null) {
            inFlight.reset();
        }
        flags.add("DC");
        count(clusterName, lastEndpoint == null ? "-" : lastEndpoint.name(), "flag DC");
        if (headers != null) {
            log(0, String.join(",", flags), "downstream_remote_disconnect", 0);
            served(0);
        }
    }

    /** The traffic view's edge: to the endpoint that answered last, or to the Service when none took the request. */
    private void served(int status) {
        String destination = lastEndpoint != null ? lastEndpoint.name() : TrafficWindow.serviceNode(authority);
        proxy.edge(destination, TrafficWindow.Traffic.SERVED).record(status, flags, System.nanoTime() - start, Math.max(0, tries - 1));
    }

    private void log(int status, String flag, String details, long bytesOut) {
        proxy.accessLog().log(new AccessLog.Entry(startMillis, request.method().name(),
                headers.contains("x-envoy-original-path") ? headers.get("x-envoy-original-path") : path, status, flag, details,
                body.length(), bytesOut, (System.nanoTime() - start) / 1_000_000,
                upstreamServiceMillis < 0 ? null : String.valueOf(upstreamServiceMillis), headers.get("x-forwarded-for"),
                headers.get("user-agent"), headers.get("x-request-id"), authority,
                lastEndpoint == null ? null : lastEndpoint.address(), clusterName.equals("-") ? null : clusterName,
                request.localAddress() == null ? null : request.localAddress().toString(),
                request.remoteAddress() == null ? null : request.remoteAddress().toString(), routeName));
    }

    private void count(String clusterKey, String endpoint, String metric) {
        proxy.stats().add(proxy.label(), clusterKey, endpoint, metric);
    }

    private static void apply(Operations operations, MultiMap target) {
        if (operations == null || operations.isEmpty()) {
            return;
        }
        operations.remove().forEach(target::remove);
        operations.set().forEach(target::set);
        operations.add().forEach(target::add);
    }

    /** A copy of {@code given} without the headers that belong to one connection, not to the request. */
    private static MultiMap withoutHopByHop(MultiMap given) {
        MultiMap copy = MultiMap.caseInsensitiveMultiMap().addAll(given);
        for (String name : HOP_BY_HOP) {
            copy.remove(name);
        }
        return copy;
    }

    /** host[:port]: letters, digits, dots, dashes, underscores, a port, or an IPv6 literal in brackets. */
    static boolean isAuthority(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'
                    || c == '_' || c == ':' || c == '[' || c == ']';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** A version-4 UUID, as Envoy makes for a request that has none, from the proxy's generator (not SecureRandom). */
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
