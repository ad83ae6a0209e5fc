package io.productapp.mesh.proxy;

import java.time.Duration;
import java.util.Optional;

import io.productapp.mesh.route.ClusterSpec;
import io.productapp.mesh.route.Endpoint;
import io.productapp.mesh.route.RouteOutcome;
import io.productapp.mesh.route.RouteOutcome.Direct;
import io.productapp.mesh.route.RouteOutcome.Forward;
import io.productapp.mesh.route.RouteOutcome.NoRoute;
import io.productapp.mesh.route.RouteOutcome.RouteAction;
import io.productapp.mesh.route.RouteOutcome.UnknownHost;
import io.productapp.mesh.route.RouteOutcome.WeightedCluster;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * Envoy's router, the last filter: answers what the route answers itself (no route: 404 NR; a
 * direct response; an unknown host), or forwards the request to its cluster (none: 503 NC): an
 * endpoint by locality and load balancing (none healthy: 503 UH), admitted by the circuit breakers
 * (503 UO), with the mirrors sent before the first try, tries made by {@link UpstreamTry} and
 * retried as {@link RetryState} decides, all within the route timeout (504 UT). Each try's end is
 * one event: it feeds outlier detection, the retry decision and the cluster counters, once each.
 */
final class RouterFilter implements HttpFilter {

    static final String OVERFLOW = "upstream connect error or disconnect/reset before headers. reset reason: overflow";
    private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private Downstream stream;
    private RouteAction action;
    private ClusterSpec spec;
    private ClusterState cluster;
    private RetryState retry;
    private String upstreamPath;
    private String upstreamAuthority;
    private UpstreamTry current;
    private Runnable waiting;
    private long routeTimer = -1;
    private boolean routeTimedOut;

    @Override
    public boolean decode(Downstream stream) {
        this.stream = stream;
        RouteOutcome outcome = stream.route();
        if (outcome instanceof NoRoute) {
            stream.sendLocalReply(404, "", "route_not_found", ResponseFlag.NR);
        } else if (outcome instanceof UnknownHost unknown) {
            stream.sendLocalReply(502, "local mesh: no Service is known by the host " + unknown.host()
                    + " (the local mesh cannot pass requests through to addresses outside it)", "direct_response", null);
        } else if (outcome instanceof Direct direct) {
            MultiMap replyHeaders = MultiMap.caseInsensitiveMultiMap();
            direct.headers().forEach(replyHeaders::set);
            stream.respond(direct.status(), replyHeaders, Buffer.buffer(direct.body()), "direct_response");
        } else {
            forward(((Forward) outcome).action(), stream.cluster());
        }
        return false;
    }

    private void forward(RouteAction routeAction, WeightedCluster chosen) {
        action = routeAction;
        Optional<ClusterSpec> found = chosen.notFound() == null ? stream.snapshot().cluster(chosen.cluster()) : Optional.empty();
        if (found.isEmpty()) {
            reply(503, "", "cluster_not_found", ResponseFlag.NC);
            return;
        }
        spec = found.get();
        cluster = stream.proxy().cluster(spec);
        retry = new RetryState(routeAction.retryPolicy(), cluster);
        MultiMap headers = stream.headers();
        upstreamPath = routeAction.rewritePath(stream.path());
        if (!upstreamPath.equals(stream.path())) {
            headers.set("x-envoy-original-path", stream.path());
        }
        upstreamAuthority = routeAction.rewrite() != null && routeAction.rewrite().authority() != null
                ? routeAction.rewrite().authority() : stream.authority();
        Headers.apply(routeAction.headers().request(), headers);
        Headers.apply(chosen.headers().request(), headers);
        if (routeAction.timeout() != null && !routeAction.timeout().isZero()) {
            routeTimer = stream.proxy().vertx().setTimer(Math.max(1, routeAction.timeout().toMillis()), t -> {
                routeTimer = -1;
                routeTimedOut = true;
                reply(504, "upstream request timeout", "upstream_response_timeout", ResponseFlag.UT);
            });
        }
        nextTry();
    }

    private void nextTry() {
        Proxy proxy = stream.proxy();
        Endpoint endpoint = cluster.pick(proxy.identity().locality(), proxy.plane().endpoints(), retry.tried(), retry.previousHosts(),
                stream.random());
        if (endpoint == null) {
            reply(503, "no healthy upstream", "no_healthy_upstream", ResponseFlag.UH);
            return;
        }
        if (retry.tries() == 0) {
            ShadowWriter.shadow(stream, action, upstreamPath, upstreamAuthority);
        }
        Runnable go = () -> {
            waiting = null;
            send(endpoint);
        };
        waiting = go;
        if (!cluster.admit(go)) {
            waiting = null;
            stream.info().flag(ResponseFlag.UO);
            MultiMap overloaded = MultiMap.caseInsensitiveMultiMap().set("x-envoy-overloaded", "true");
            respond(503, overloaded, Buffer.buffer(OVERFLOW), "upstream_reset_before_response_started{overflow}");
        }
    }

    private void send(Endpoint endpoint) {
        if (stream.isComplete()) {
            cluster.release();
            return;
        }
        StreamInfo info = stream.info();
        retry.started(endpoint.name());
        info.tries = retry.tries();
        info.upstream = endpoint;
        cluster.started(endpoint);
        // The request's own headers go upstream as they are, with what Envoy adds (one try at a time).
        MultiMap upstream = stream.headers()
                .set("host", upstreamAuthority)
                .set("x-forwarded-proto", "http")
                .set("x-envoy-attempt-count", String.valueOf(info.tries));
        if (spec.connectionPool().maxRequestsPerConnection() == 1) {
            upstream.set("connection", "close");
        }
        Duration connectTimeout = spec.connectionPool().connectTimeout() != null ? spec.connectionPool().connectTimeout()
                : DEFAULT_CONNECT_TIMEOUT;
        current = new UpstreamTry(stream.proxy(), endpoint, info.tries, this::tryEnded);
        current.send(stream.method(), upstreamPath, upstream, stream.body(), connectTimeout, retry.perTryTimeout());
    }

    /** The per-try event. */
    private void tryEnded(UpstreamTry.Result result) {
        current = null; // one try at a time: the next starts after this event
        Endpoint endpoint = result.endpoint();
        cluster.finished(endpoint);
        cluster.release();
        int outlierStatus = result.outlierStatus();
        boolean ejected = outlierStatus > 0 && cluster.record(endpoint, outlierStatus, System.nanoTime());
        RetryState.Decision decision = stream.isComplete() ? RetryState.Decision.ANSWER : retry.decide(result);
        stream.proxy().telemetry().tried(spec.ref().toString(), endpoint, decision == RetryState.Decision.RETRY, ejected,
                ejected ? cluster.returnsAt(endpoint) : -1);
        if (stream.isComplete()) {
            return; // the answer went already (route timeout) or nobody waits (the caller went away)
        }
        switch (decision) {
            case RETRY -> {
                retryAfterBackoff();
                return;
            }
            case LIMIT_EXCEEDED -> stream.info().flag(ResponseFlag.URX);
            case OVERFLOW -> stream.info().flag(ResponseFlag.UO);
            case ANSWER -> {
            }
        }
        switch (result.outcome()) {
            case ANSWERED -> {
                stream.info().upstreamServiceMillis = result.serviceMillis();
                MultiMap answer = Headers.dropHopByHop(result.headers()); // the try's own map, decoded for this answer alone
                answer.set("x-envoy-upstream-service-time", String.valueOf(result.serviceMillis()));
                respond(result.status(), answer, result.body(), "via_upstream");
            }
            case PER_TRY_TIMEOUT -> reply(504, "upstream request timeout", "upstream_per_try_timeout", ResponseFlag.UT);
            case CONNECT_FAILURE -> reply(503, "upstream connect error or disconnect/reset before headers. reset reason: connection failure",
                    "upstream_reset_before_response_started{connection_failure}", ResponseFlag.UF);
            default -> reply(503, "upstream connect error or disconnect/reset before headers. reset reason: connection termination",
                    "upstream_reset_before_response_started{connection_termination}", ResponseFlag.UC);
        }
    }

    private void retryAfterBackoff() {
        long wait = retry.backoff(stream.random()).toMillis();
        Runnable again = () -> {
            retry.retryStarted();
            if (!stream.isComplete()) {
                nextTry();
            }
        };
        if (wait <= 0) {
            again.run();
        } else {
            stream.proxy().vertx().setTimer(wait, t -> again.run());
        }
    }

    /** A local reply of the router, with the route's response header operations. */
    private void reply(int status, String text, String details, ResponseFlag flag) {
        stream.info().flag(flag);
        MultiMap replyHeaders = MultiMap.caseInsensitiveMultiMap();
        if (!text.isEmpty()) {
            replyHeaders.set("content-type", "text/plain");
        }
        respond(status, replyHeaders, Buffer.buffer(text), details);
    }

    private void respond(int status, MultiMap responseHeaders, Buffer body, String details) {
        if (action != null) {
            Headers.apply(action.headers().response(), responseHeaders);
        }
        stream.respond(status, responseHeaders, body, details);
    }

    @Override
    public void onDestroy() {
        if (routeTimer >= 0) {
            stream.proxy().vertx().cancelTimer(routeTimer);
            routeTimer = -1;
        }
        if (waiting != null && cluster.withdraw(waiting)) {
            waiting = null;
        }
        if (current != null) {
            current.stop(routeTimedOut ? UpstreamTry.Outcome.ROUTE_TIMEOUT : UpstreamTry.Outcome.CANCELLED);
        }
    }
}
