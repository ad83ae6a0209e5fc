package io.productapp.mesh.route;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

import io.productapp.mesh.model.StringMatch;
import io.productapp.mesh.model.VirtualService.Fault;
import io.productapp.mesh.model.VirtualService.HeaderOperations;
import io.productapp.mesh.model.VirtualService.HttpMatch;
import io.productapp.mesh.model.VirtualService.Rewrite;

/** What the router decided for a request: where it goes, or the answer the proxy gives itself. */
public sealed interface RouteOutcome {

    /** A VirtualService holds the host but none of its rules matches: Envoy's 404, flag NR. */
    record NoRoute(String virtualService) implements RouteOutcome {
    }

    /**
     * No Service and no VirtualService is known by the request's host: the local mesh answers as a
     * sidecar with {@code outboundTrafficPolicy: REGISTRY_ONLY} does (502), since there is no
     * original destination to pass the request through to.
     */
    record UnknownHost(String host) implements RouteOutcome {
    }

    /** A {@code directResponse} or {@code redirect} rule: the proxy answers itself. */
    record Direct(String routeName, int status, String body, Map<String, String> headers) implements RouteOutcome {
    }

    /** The request is forwarded as {@link RouteAction} says. */
    record Forward(RouteAction action) implements RouteOutcome {
    }

    /**
     * A matched rule's action.
     *
     * @param virtualService the VirtualService's name, null for the Service's default route
     * @param routeName the rule's name, as Envoy's access log shows it ({@code default} for the default route)
     * @param matched the match entry that held, or null when the rule has none
     * @param clusters where requests go, with their relative weights (zero weights dropped)
     * @param rewrite the rule's rewrite, or null
     * @param timeout the route timeout, or null for none
     * @param retryPolicy the retries Envoy would make
     * @param fault the fault injected, or null
     * @param mirrors where copies go
     * @param headers the rule's header operations
     */
    record RouteAction(String virtualService, String routeName, HttpMatch matched, List<WeightedCluster> clusters,
            Rewrite rewrite, Duration timeout, RetryPolicy retryPolicy, Fault fault, List<MirrorTarget> mirrors,
            HeaderOperations headers) {

        public RouteAction {
            clusters = List.copyOf(clusters);
            mirrors = List.copyOf(mirrors);
        }

        /** One cluster drawn by weight, as Envoy's weighted_clusters does per request. */
        public WeightedCluster pick(RandomGenerator random) {
            if (clusters.size() == 1) {
                return clusters.get(0);
            }
            int total = clusters.stream().mapToInt(WeightedCluster::weight).sum();
            int draw = random.nextInt(total);
            for (WeightedCluster cluster : clusters) {
                draw -= cluster.weight();
                if (draw < 0) {
                    return cluster;
                }
            }
            return clusters.get(clusters.size() - 1);
        }

        /** The delay to hold this request for, or null: the fault's delay rolled at its percentage. */
        public Duration rollDelay(RandomGenerator random) {
            return fault != null && fault.delay() != null && roll(fault.delay().percent(), random) ? fault.delay().fixedDelay() : null;
        }

        /** The status to abort this request with, or 0: the fault's abort rolled at its percentage. */
        public int rollAbort(RandomGenerator random) {
            return fault != null && fault.abort() != null && roll(fault.abort().percent(), random) ? fault.abort().httpStatus() : 0;
        }

        /** The path sent upstream: the matched prefix replaced (the whole path for other matches), the query kept. */
        public String rewritePath(String path) {
            if (rewrite == null || rewrite.uri() == null) {
                return path;
            }
            StringMatch uri = matched == null ? null : matched.uri();
            if (uri instanceof StringMatch.Prefix prefix) {
                return rewrite.uri() + path.substring(Math.min(prefix.value().length(), path.length()));
            }
            if (uri == null) { // the route matches prefix "/": that slash is what is replaced
                return rewrite.uri() + path.substring(Math.min(1, path.length()));
            }
            int query = path.indexOf('?'); // exact and regex: the whole path, the query kept
            return rewrite.uri() + (query < 0 ? "" : path.substring(query));
        }
    }

    /** A destination of a rule, resolved to its cluster. {@code notFound} says why there is none (503 NC). */
    record WeightedCluster(ClusterRef cluster, int weight, HeaderOperations headers, String notFound) {
    }

    /** A mirror destination resolved to its cluster (null when there is none) and its percentage. */
    record MirrorTarget(ClusterRef cluster, double percent, String notFound) {

        public boolean roll(RandomGenerator random) {
            return RouteOutcome.roll(percent, random);
        }
    }

    /** Envoy's fractional percent, per million, drawn once. */
    static boolean roll(double percent, RandomGenerator random) {
        int perMillion = (int) Math.round(percent * 10_000);
        return perMillion >= 1_000_000 || (perMillion > 0 && random.nextInt(1_000_000) < perMillion);
    }
}
