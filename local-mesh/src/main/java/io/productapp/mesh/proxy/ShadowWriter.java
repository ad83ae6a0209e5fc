package io.productapp.mesh.proxy;

import java.time.Duration;
import java.util.Set;

import io.productapp.mesh.route.ClusterSpec;
import io.productapp.mesh.route.Endpoint;
import io.productapp.mesh.route.RouteOutcome.MirrorTarget;
import io.productapp.mesh.route.RouteOutcome.RouteAction;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * Envoy's shadow writer: the route's mirrors, each rolled at its percentage, sent once before the
 * first try as fire-and-forget copies; their answers are discarded, they are never retried, and
 * the caller never waits for them. Each copy is accounted for once, when it ends.
 */
final class ShadowWriter {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final long TIMEOUT_MILLIS = 30_000;

    private ShadowWriter() {
    }

    static void shadow(Downstream stream, RouteAction action, String path, String authority) {
        for (MirrorTarget mirror : action.mirrors()) {
            if (mirror.cluster() == null || !mirror.roll(stream.random())) {
                continue;
            }
            ClusterSpec spec = stream.snapshot().cluster(mirror.cluster()).orElse(null);
            if (spec != null) {
                send(stream, spec, action, path, authority);
            }
        }
    }

    private static void send(Downstream stream, ClusterSpec spec, RouteAction action, String path, String authority) {
        Proxy proxy = stream.proxy();
        ClusterState cluster = proxy.cluster(spec);
        Endpoint endpoint = cluster.pick(proxy.identity().locality(), proxy.plane().endpoints(), Set.of(), false, stream.random());
        if (endpoint == null) {
            return;
        }
        MultiMap headers = Headers.addAll(stream.headers(), MultiMap.caseInsensitiveMultiMap()).set("host", authority)
                .set("x-forwarded-proto", "http");
        Copy copy = new Copy(proxy, spec, cluster, endpoint);
        UpstreamConnections.Request request = proxy.send(endpoint, stream.method(), path, headers, stream.body(),
                CONNECT_TIMEOUT.toMillis(), copy);
        // A copy nobody waits for still ends: at the route's timeout, or after 30 s when the route has none (0s: none).
        boolean routeTimeout = action.timeout() != null && !action.timeout().isZero();
        copy.timer = proxy.vertx().setTimer(routeTimeout ? Math.max(1, action.timeout().toMillis()) : TIMEOUT_MILLIS, t -> {
            copy.timer = -1;
            request.reset();
        });
    }

    /** One mirrored copy in flight: counted as started when made, accounted for once when it ends, its answer discarded. */
    private static final class Copy implements UpstreamConnections.Exchange {

        private final Proxy proxy;
        private final ClusterSpec spec;
        private final ClusterState cluster;
        private final Endpoint endpoint;
        private final long sent = System.nanoTime();
        /** The timer that ends the copy if nothing else does first; -1 while there is none (not yet set, or fired). */
        private long timer = -1;

        Copy(Proxy proxy, ClusterSpec spec, ClusterState cluster, Endpoint endpoint) {
            this.proxy = proxy;
            this.spec = spec;
            this.cluster = cluster;
            this.endpoint = endpoint;
            cluster.started(endpoint);
            proxy.plane().started();
        }

        @Override
        public void answered(int status, MultiMap headers, Buffer body) {
            end(status);
        }

        @Override
        public void failed(Throwable cause) {
            end(0);
        }

        private void end(int status) {
            if (timer >= 0) {
                proxy.vertx().cancelTimer(timer);
            }
            cluster.finished(endpoint);
            proxy.telemetry().mirrored(spec.ref().toString(), endpoint, status, System.nanoTime() - sent);
            proxy.plane().ended();
        }
    }
}
