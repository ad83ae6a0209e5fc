package io.productapp.mesh.proxy;

import io.productapp.mesh.route.Endpoint;
import io.vertx.core.net.SocketAddress;

/**
 * Everything one request through a proxy leaves behind, as Envoy's StreamInfo holds it: what came
 * in, the route and cluster chosen, the endpoint that took the last try, the tries, the response
 * flags, the answer, its timings and bytes. The stages write it on the proxy's event loop while
 * the request runs; when it completes, {@link Telemetry} hands the finished record once to each
 * sink (access log, counters, traffic window), and nobody writes it again.
 */
final class StreamInfo {

    final long startNanos = System.nanoTime();
    final long startMillis = System.currentTimeMillis();
    String method;
    /** The path as the caller sent it (before any rewrite). */
    String path;
    String protocol = "HTTP/1.1";
    String authority;
    String requestId;
    String userAgent;
    String forwardedFor;
    SocketAddress downstreamLocal;
    SocketAddress downstreamRemote;

    /** The route's name, as the access log shows it; null before a route is chosen or when none matched. */
    String routeName;
    /** The cluster the route chose ({@code outbound|3000|v1|catalogdetail...}), or null. */
    String cluster;
    /**
     * The Service the request was for (its FQDN): the chosen cluster's, else the one its host names;
     * null when the configuration knows none, as for a made-up host.
     */
    String service;
    /** The endpoint of the last try, or null when no try started. */
    Endpoint upstream;
    int tries;
    int flags;
    long upstreamServiceMillis = -1;

    /** The answer's status; 0 when none went back (the caller went away). */
    int status;
    String details;
    long bytesReceived;
    long bytesSent;
    long endNanos;

    void flag(ResponseFlag flag) {
        flags |= flag.bit();
    }

    boolean has(ResponseFlag flag) {
        return flag.in(flags);
    }

    long durationNanos() {
        return endNanos - startNanos;
    }

    /** Tries after the first. */
    int retries() {
        return Math.max(0, tries - 1);
    }
}
