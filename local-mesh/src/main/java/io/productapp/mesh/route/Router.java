package io.productapp.mesh.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.productapp.mesh.model.Destination;
import io.productapp.mesh.model.DestinationRule;
import io.productapp.mesh.model.Gateway;
import io.productapp.mesh.model.KubeService;
import io.productapp.mesh.model.MeshConfig;
import io.productapp.mesh.model.StringMatch;
import io.productapp.mesh.model.VirtualService;
import io.productapp.mesh.model.VirtualService.HeaderOperations;
import io.productapp.mesh.model.VirtualService.HttpMatch;
import io.productapp.mesh.model.VirtualService.HttpRoute;
import io.productapp.mesh.model.VirtualService.Mirror;
import io.productapp.mesh.model.VirtualService.RouteDestination;
import io.productapp.mesh.route.RouteOutcome.Direct;
import io.productapp.mesh.route.RouteOutcome.Forward;
import io.productapp.mesh.route.RouteOutcome.MirrorTarget;
import io.productapp.mesh.route.RouteOutcome.NoRoute;
import io.productapp.mesh.route.RouteOutcome.RouteAction;
import io.productapp.mesh.route.RouteOutcome.UnknownHost;
import io.productapp.mesh.route.RouteOutcome.WeightedCluster;

/**
 * Routes a described request as Istio's generated Envoy configuration would, with no sockets: the
 * VirtualService for the request's host among those bound to the proxy's gateway (sidecars:
 * {@code mesh}), its first rule whose match holds (match entries ORed, conditions ANDed), and
 * that rule's destinations resolved to clusters through the Services and DestinationRules.
 * With no VirtualService for a Service, the Service's default route applies (no timeout,
 * Istio's default retries). Immutable but for its caches: one per configuration in force, used
 * from every proxy's event loop.
 * <p>
 * What a request's host and its caller decide (the Service and the VirtualService), and what a
 * matched rule decides (its clusters, retries, mirrors), is the same for every request that
 * gets there, so both are worked out once and kept; only the match itself is done per request.
 */
public final class Router {

    /** Entries each cache keeps at most: requests for endless made-up hosts or ports must not grow it without end. */
    static final int MAX_CACHED_TARGETS = 4096;
    /**
     * The longest authority whose target is cached: a DNS name (253) and a port. Longer ones (a
     * request line may carry 60 KiB of one) are resolved each time, or the cache's 4,096 entries
     * could hold 240 MB of made-up names.
     */
    static final int MAX_CACHED_AUTHORITY = 253 + 6;

    private final MeshConfig config;
    private final Map<TargetKey, Target> targets = new ConcurrentHashMap<>();
    private final Map<ActionKey, RouteOutcome> actions = new ConcurrentHashMap<>();
    /** Each VirtualService's hosts as Istio resolves them (FQDNs, wildcards), made once per configuration. */
    private final Map<VirtualService, List<String>> resolvedHosts = new java.util.IdentityHashMap<>();

    public Router(MeshConfig config) {
        this.config = config;
        for (VirtualService vs : config.virtualServices()) {
            resolvedHosts.put(vs, vs.hosts().stream().map(h -> MeshConfig.resolveHost(h, vs.origin().namespace())).toList());
        }
    }

    public MeshConfig config() {
        return config;
    }

    /** Targets cached now (for tests). */
    int cachedTargets() {
        return targets.size();
    }

    /** The Service and VirtualService of a request's authority for one caller. */
    private record Target(String host, Optional<KubeService> service, Optional<VirtualService> virtualService) {
    }

    /** A caller (by identity: each proxy keeps its source per configuration) and the authority it asked for. */
    private record TargetKey(Object source, String authority) {
        @Override
        public boolean equals(Object other) {
            return other instanceof TargetKey key && key.source == source && key.authority.equals(authority);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(source) * 31 + authority.hashCode();
        }
    }

    /** A matched rule (or a Service's default route), by identity, and the port the request was sent to. */
    private record ActionKey(Object rule, Object match, int port) {
        @Override
        public boolean equals(Object other) {
            return other instanceof ActionKey key && key.rule == rule && key.match == match && key.port == port;
        }

        @Override
        public int hashCode() {
            return (System.identityHashCode(rule) * 31 + System.identityHashCode(match)) * 31 + port;
        }
    }

    private Target target(RouteRequest request) {
        TargetKey key = new TargetKey(request.source(), request.authority());
        Target target = targets.get(key);
        if (target == null) {
            String host = MeshConfig.normalizeHost(request.authority());
            // The authority as sent: service() normalizes it once, as Envoy strips one trailing dot.
            Optional<KubeService> service = config.service(request.authority(), request.source().namespace());
            String canonical = service.map(KubeService::fqdn).orElse(host);
            target = new Target(host, service, virtualServiceFor(canonical, request));
            if (targets.size() < MAX_CACHED_TARGETS && request.authority().length() <= MAX_CACHED_AUTHORITY) {
                targets.put(key, target);
            }
        }
        return target;
    }

    public RouteOutcome route(RouteRequest request) {
        Target target = target(request);
        String host = target.host();
        Optional<KubeService> service = target.service();
        Optional<VirtualService> virtualService = target.virtualService();
        if (virtualService.isEmpty()) {
            if (!request.source().isSidecar()) {
                return new NoRoute(null); // a gateway answers only for the hosts of its VirtualServices
            }
            if (service.isEmpty()) {
                return new UnknownHost(host);
            }
            return cached(new ActionKey(service.get(), null, request.port()), () -> new Forward(defaultRoute(service.get(), request.port())));
        }
        VirtualService vs = virtualService.get();
        for (HttpRoute rule : vs.http()) {
            List<HttpMatch> applicable = applicableMatches(rule, request.source());
            if (applicable == null) {
                continue; // every match of the rule is for other proxies
            }
            if (applicable.isEmpty()) {
                return action(vs, rule, null, request);
            }
            for (HttpMatch match : applicable) {
                if (matches(match, request)) {
                    return action(vs, rule, match, request);
                }
            }
        }
        return new NoRoute(vs.name());
    }

    // ---- which VirtualService -------------------------------------------------------------------

    private Optional<VirtualService> virtualServiceFor(String host, RouteRequest request) {
        VirtualService best = null;
        int bestScore = -1;
        for (VirtualService vs : config.virtualServices()) {
            if (!boundTo(vs, request.source())) {
                continue;
            }
            for (String resolved : resolvedHosts.get(vs)) {
                int score = hostScore(resolved, host);
                if (score > bestScore && (request.source().isSidecar() || gatewayServes(vs, resolved, request))) {
                    best = vs;
                    bestScore = score;
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /** How well a VirtualService host matches the request's: exact beats the longest wildcard; -1: no match. */
    static int hostScore(String vsHost, String requestHost) {
        if (vsHost.equals(requestHost)) {
            return Integer.MAX_VALUE;
        }
        if (vsHost.equals("*")) {
            return 0;
        }
        if (vsHost.startsWith("*.") && requestHost.endsWith(vsHost.substring(1))) {
            return vsHost.length();
        }
        return -1;
    }

    private boolean boundTo(VirtualService vs, RouteRequest.Source source) {
        for (String gateway : vs.gateways()) {
            if (gateway.equals(VirtualService.MESH) ? source.isSidecar()
                    : source.gateways().contains(qualified(gateway, vs.origin().namespace()))) {
                return true;
            }
        }
        return false;
    }

    /** A gateway serves a VirtualService host when one of its Gateways' servers has a host that overlaps it. */
    private boolean gatewayServes(VirtualService vs, String vsHost, RouteRequest request) {
        for (String reference : vs.gateways()) {
            Optional<Gateway> gateway = config.gateway(reference, vs.origin().namespace());
            if (gateway.isEmpty() || !request.source().gateways().contains(qualified(reference, vs.origin().namespace()))) {
                continue;
            }
            for (Gateway.Server server : gateway.get().servers()) {
                for (String serverHost : server.hosts()) {
                    String h = serverHost.contains("/") ? serverHost.substring(serverHost.indexOf('/') + 1) : serverHost;
                    if (h.equals("*") || vsHost.equals("*") || hostScore(h, vsHost) >= 0 || hostScore(vsHost, h) >= 0) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    static String qualified(String gateway, String namespace) {
        return gateway.contains("/") ? gateway : namespace + "/" + gateway;
    }

    // ---- which rule -------------------------------------------------------------------------------

    /**
     * The matches of {@code rule} configured on this proxy: Istio drops a match entry whose
     * {@code gateways} do not include the proxy's, or (without {@code gateways}) whose
     * {@code sourceLabels} the proxy's workload lacks. Empty: the rule matches everything;
     * null: every entry was dropped, so the rule is not on this proxy at all.
     */
    private static List<HttpMatch> applicableMatches(HttpRoute rule, RouteRequest.Source source) {
        if (rule.matches().isEmpty()) {
            return List.of();
        }
        List<HttpMatch> kept = new ArrayList<>();
        for (HttpMatch match : rule.matches()) {
            if (!match.gateways().isEmpty()) {
                boolean listed = match.gateways().stream().anyMatch(g -> g.equals(VirtualService.MESH) ? source.isSidecar()
                        : source.gateways().contains(qualified(g, source.namespace())));
                if (listed) {
                    kept.add(match);
                }
            } else if (source.labels().entrySet().containsAll(match.sourceLabels().entrySet())
                    && (match.sourceLabels().isEmpty() || source.isSidecar())) {
                kept.add(match);
            }
        }
        return kept.isEmpty() ? null : kept;
    }

    /** Whether every condition of one match entry holds. */
    static boolean matches(HttpMatch match, RouteRequest request) {
        if (match.uri() != null) {
            String subject = match.uri() instanceof StringMatch.Prefix ? request.path() : request.pathOnly();
            if (!match.uri().matches(subject, match.ignoreUriCase())) {
                return false;
            }
        }
        if (match.method() != null && !match.method().matches(request.method(), false)) {
            return false;
        }
        if (match.authority() != null && !match.authority().matches(request.authority(), false)) {
            return false;
        }
        if (match.scheme() != null && !match.scheme().matches(request.scheme(), false)) {
            return false;
        }
        if (match.port() != null && match.port() != request.port()) {
            return false;
        }
        for (Map.Entry<String, StringMatch> header : match.headers().entrySet()) {
            String value = header(request, header.getKey());
            if (value == null || !header.getValue().matches(value, false)) {
                return false;
            }
        }
        for (Map.Entry<String, StringMatch> header : match.withoutHeaders().entrySet()) {
            String value = header(request, header.getKey());
            boolean holds = header.getValue() instanceof StringMatch.Present ? value != null
                    : header.getValue().matches(value == null ? "" : value, false);
            if (holds) {
                return false;
            }
        }
        for (Map.Entry<String, StringMatch> param : match.queryParams().entrySet()) {
            String value = request.queryParam(param.getKey());
            if (value == null || !param.getValue().matches(value, false)) {
                return false;
            }
        }
        return true;
    }

    /** A header's value; {@code host} and {@code :authority} are the request's authority, as in Envoy. */
    private static String header(RouteRequest request, String name) {
        return switch (name) {
            case "host", ":authority" -> request.authority();
            case ":method" -> request.method();
            case ":path" -> request.path();
            default -> request.headers().get(name);
        };
    }

    // ---- which clusters ---------------------------------------------------------------------------

    private RouteOutcome action(VirtualService vs, HttpRoute rule, HttpMatch matched, RouteRequest request) {
        if (rule.directResponse() != null || rule.redirect() != null) {
            return actionOf(vs, rule, matched, request); // a redirect's location depends on the request
        }
        return cached(new ActionKey(rule, matched, request.port()), () -> actionOf(vs, rule, matched, request));
    }

    private RouteOutcome cached(ActionKey key, java.util.function.Supplier<RouteOutcome> made) {
        RouteOutcome outcome = actions.get(key);
        if (outcome == null) {
            outcome = made.get();
            if (actions.size() < MAX_CACHED_TARGETS) {
                actions.put(key, outcome);
            }
        }
        return outcome;
    }

    private RouteOutcome actionOf(VirtualService vs, HttpRoute rule, HttpMatch matched, RouteRequest request) {
        String routeName = rule.name() != null ? rule.name() : (matched != null && matched.name() != null ? matched.name() : null);
        if (rule.directResponse() != null) {
            return new Direct(routeName, rule.directResponse().status(),
                    rule.directResponse().body() == null ? "" : rule.directResponse().body(), Map.of());
        }
        if (rule.redirect() != null) {
            String authority = rule.redirect().authority() != null ? rule.redirect().authority() : request.authority();
            String path = rule.redirect().uri() != null ? rule.redirect().uri() : request.path();
            return new Direct(routeName, rule.redirect().redirectCode(), "",
                    Map.of("location", request.scheme() + "://" + authority + path));
        }
        List<WeightedCluster> clusters = new ArrayList<>();
        for (RouteDestination destination : rule.route()) {
            int weight = rule.route().size() == 1 ? 1 : destination.weight() == null ? 0 : destination.weight();
            if (weight > 0 || rule.route().size() == 1) {
                clusters.add(cluster(destination.destination(), weight, destination.headers(), vs, request));
            }
        }
        if (clusters.isEmpty()) { // every weight 0: Istio's webhook refuses it; route to the first
            clusters.add(cluster(rule.route().get(0).destination(), 1, rule.route().get(0).headers(), vs, request));
        }
        List<MirrorTarget> mirrors = new ArrayList<>();
        for (Mirror mirror : rule.mirrors()) {
            WeightedCluster target = cluster(mirror.destination(), 1, HeaderOperations.NONE, vs, request);
            mirrors.add(new MirrorTarget(target.cluster(), mirror.percent(), target.notFound()));
        }
        return new Forward(new RouteAction(vs.name(), routeName, matched, clusters, rule.rewrite(), rule.timeout(),
                RetryPolicy.of(rule.retries()), rule.fault(), mirrors, rule.headers()));
    }

    private WeightedCluster cluster(Destination destination, int weight, HeaderOperations headers, VirtualService vs,
            RouteRequest request) {
        Optional<KubeService> service = config.destinationService(destination.host(), vs.origin().namespace());
        if (service.isEmpty()) {
            return new WeightedCluster(null, weight, headers, "no Service " + destination.host());
        }
        int port = destination.port() != null ? destination.port()
                : service.get().ports().size() == 1 ? service.get().ports().get(0).port() : request.port();
        ClusterRef ref = new ClusterRef(service.get().fqdn(), port, destination.subset());
        if (destination.subset() != null) {
            Optional<DestinationRule> rule = config.destinationRule(service.get());
            if (rule.isEmpty() || rule.get().subset(destination.subset()).isEmpty()) {
                return new WeightedCluster(null, weight, headers, "subset " + destination.subset() + " of " + destination.host()
                        + " is not defined in any DestinationRule");
            }
        }
        if (service.get().port(port).isEmpty()) {
            return new WeightedCluster(null, weight, headers, "port " + port + " is not a port of Service " + service.get().name());
        }
        return new WeightedCluster(ref, weight, headers, null);
    }

    private static RouteAction defaultRoute(KubeService service, int port) {
        int clusterPort = service.port(port).isPresent() || service.ports().isEmpty() ? port : service.ports().get(0).port();
        return new RouteAction(null, "default", null,
                List.of(new WeightedCluster(new ClusterRef(service.fqdn(), clusterPort, null), 1, HeaderOperations.NONE, null)),
                null, null, RetryPolicy.DEFAULT, null, List.of(), HeaderOperations.NONE);
    }
}
