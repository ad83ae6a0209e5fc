package io.productapp.mesh.proxy;

import java.time.Duration;
import java.util.Set;

import io.productapp.mesh.route.ClusterSpec;
import io.productapp.mesh.route.Endpoint;
import io.productapp.mesh.route.RouteOutcome.MirrorTarget;
import io.productapp.mesh.route.RouteOutcome.RouteAction;
import io.vertx.core.MultiMap;
import io.vertx.core.http.RequestOptions;

/**
 * Envoy's shadow writer: the route's mirrors, each rolled at its percentage, sent once before the
 * first try as fire-and-forget copies; their answers are discarded, they are never retried, and
 * the caller never waits for them. Each copy is accounted for once, when it ends.
 */
final class ShadowWriter {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final long IDLE_TIMEOUT_MILLIS = 30_000;

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
        MultiMap copy = MultiMap.caseInsensitiveMultiMap().addAll(stream.headers()).set("host", authority).set("x-forwarded-proto", "http");
        RequestOptions options = new RequestOptions().setMethod(stream.method()).setHost(endpoint.host()).setPort(endpoint.port())
                .setURI(path).setHeaders(copy).setConnectTimeout(CONNECT_TIMEOUT.toMillis())
                .setIdleTimeout(action.timeout() != null ? action.timeout().toMillis() : IDLE_TIMEOUT_MILLIS);
        cluster.started(endpoint);
        proxy.plane().started();
        java.util.concurrent.atomic.AtomicInteger load = proxy.plane().load(endpoint.name());
        load.incrementAndGet();
        long sent = System.nanoTime();
        proxy.client().request(options)
                .compose(opened -> stream.body().length() == 0 ? opened.send() : opened.send(stream.body()))
                .compose(response -> response.body().map(discarded -> response.statusCode()))
                .onComplete(result -> {
                    load.decrementAndGet();
                    cluster.finished(endpoint);
                    proxy.telemetry().mirrored(spec.ref().toString(), endpoint, result.succeeded() ? result.result() : 0,
                            System.nanoTime() - sent);
                    proxy.plane().ended();
                });
    }
}
