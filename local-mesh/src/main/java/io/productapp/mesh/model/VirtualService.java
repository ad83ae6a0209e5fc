package io.productapp.mesh.model;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A VirtualService, as the local mesh reads it: its hosts, the gateways it is bound to
 * ({@code mesh} when none is named) and its HTTP rules, in order.
 */
public record VirtualService(Origin origin, List<String> hosts, List<String> gateways, List<HttpRoute> http, List<String> exportTo,
        List<L4Destination> l4Destinations) {

    /** Istio's name for the sidecars' gateway: a VirtualService with no {@code gateways} is bound to it. */
    public static final String MESH = "mesh";

    public VirtualService {
        hosts = List.copyOf(hosts);
        gateways = gateways.isEmpty() ? List.of(MESH) : List.copyOf(gateways);
        http = List.copyOf(http);
        exportTo = List.copyOf(exportTo);
        l4Destinations = List.copyOf(l4Destinations);
    }

    /**
     * A destination of a tcp or tls rule, with where it is written ({@code spec.tcp[0].route}):
     * the local mesh routes HTTP only, but the analyzers check these as Istio's do.
     */
    public record L4Destination(String at, Destination destination) {
    }

    public String name() {
        return origin.name();
    }

    /** One rule of {@code http}: matched in order, the first whose match holds wins. */
    public record HttpRoute(String name, int index, List<HttpMatch> matches, List<RouteDestination> route,
            Rewrite rewrite, Redirect redirect, DirectResponse directResponse, Duration timeout, Retries retries,
            Fault fault, List<Mirror> mirrors, HeaderOperations headers) {

        public HttpRoute {
            matches = List.copyOf(matches);
            route = List.copyOf(route);
            mirrors = List.copyOf(mirrors);
        }

        /** {@code spec.http[i]} or the rule's name, as logs and findings show it. */
        public String label() {
            return name != null ? name : "http[" + index + "]";
        }
    }

    /**
     * One entry of a rule's {@code match}: every condition set must hold (entries are ORed).
     * {@code gateways} and {@code sourceLabels} restrict which proxies the rule is configured on.
     */
    public record HttpMatch(String name, StringMatch uri, boolean ignoreUriCase, StringMatch method,
            StringMatch authority, StringMatch scheme, Map<String, StringMatch> headers,
            Map<String, StringMatch> withoutHeaders, Map<String, StringMatch> queryParams, Integer port,
            Map<String, String> sourceLabels, List<String> gateways) {

        public HttpMatch {
            headers = Map.copyOf(headers);
            withoutHeaders = Map.copyOf(withoutHeaders);
            queryParams = Map.copyOf(queryParams);
            sourceLabels = Map.copyOf(sourceLabels);
            gateways = List.copyOf(gateways);
        }
    }

    /** A weighted destination; {@code weight} null when not given. */
    public record RouteDestination(Destination destination, Integer weight, HeaderOperations headers) {
    }

    public record Rewrite(String uri, String authority) {
    }

    public record Redirect(String uri, String authority, int redirectCode) {
    }

    public record DirectResponse(int status, String body) {
    }

    /**
     * {@code retries} as written: {@code attempts} retries, each try bounded by
     * {@code perTryTimeout}, on the {@code retryOn} conditions (null: Istio's default ones).
     */
    public record Retries(int attempts, Duration perTryTimeout, String retryOn, Boolean retryIgnorePreviousHosts,
            Boolean retryRemoteLocalities, Duration backoff) {
    }

    /** {@code fault}: a delay and/or an abort, each applied to its percentage of requests. */
    public record Fault(Delay delay, Abort abort) {
    }

    public record Delay(Duration fixedDelay, double percent) {
    }

    public record Abort(int httpStatus, double percent) {
    }

    /** A mirror destination and the percentage of requests copied to it. */
    public record Mirror(Destination destination, double percent) {
    }

    /** {@code headers.request} / {@code headers.response}: set, add and remove. */
    public record HeaderOperations(Operations request, Operations response) {
        public static final HeaderOperations NONE = new HeaderOperations(Operations.NONE, Operations.NONE);

        public boolean isEmpty() {
            return request.isEmpty() && response.isEmpty();
        }
    }

    public record Operations(Map<String, String> set, Map<String, String> add, List<String> remove) {
        public static final Operations NONE = new Operations(Map.of(), Map.of(), List.of());

        public Operations {
            set = Map.copyOf(set);
            add = Map.copyOf(add);
            remove = List.copyOf(remove);
        }

        public boolean isEmpty() {
            return set.isEmpty() && add.isEmpty() && remove.isEmpty();
        }
    }
}
