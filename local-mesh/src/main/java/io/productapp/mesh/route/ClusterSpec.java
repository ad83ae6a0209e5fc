package io.productapp.mesh.route;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.productapp.mesh.model.DestinationRule;
import io.productapp.mesh.model.DestinationRule.ConnectionPool;
import io.productapp.mesh.model.DestinationRule.LoadBalancer;
import io.productapp.mesh.model.DestinationRule.LocalityLbSetting;
import io.productapp.mesh.model.DestinationRule.OutlierDetection;
import io.productapp.mesh.model.DestinationRule.Simple;
import io.productapp.mesh.model.DestinationRule.TrafficPolicy;
import io.productapp.mesh.model.KubeService;
import io.productapp.mesh.model.MeshConfig;

/**
 * An outbound cluster as Istio builds it: the Service's endpoints (those of the subset, when one is
 * named) and the traffic policy that applies to them (the DestinationRule's, overridden part by
 * part by the subset's).
 */
public record ClusterSpec(ClusterRef ref, KubeService service, Map<String, String> subsetLabels, TrafficPolicy policy) {

    /** The cluster {@code ref} names in {@code config}; empty when its Service or subset is not there (NC). */
    public static Optional<ClusterSpec> of(ClusterRef ref, MeshConfig config) {
        Optional<KubeService> service = config.services().stream().filter(s -> s.fqdn().equals(ref.host())).findFirst();
        if (service.isEmpty()) {
            return Optional.empty();
        }
        Optional<DestinationRule> rule = config.destinationRule(service.get());
        TrafficPolicy policy = rule.map(DestinationRule::trafficPolicy).orElse(TrafficPolicy.NONE);
        Map<String, String> labels = Map.of();
        if (ref.hasSubset()) {
            Optional<DestinationRule.Subset> subset = rule.flatMap(r -> r.subset(ref.subset()));
            if (subset.isEmpty()) {
                return Optional.empty();
            }
            labels = subset.get().labels();
            policy = policy.overriddenBy(subset.get().trafficPolicy());
        }
        return Optional.of(new ClusterSpec(ref, service.get(), labels, policy));
    }

    /** The endpoints of this cluster among all running ones: selected by the Service, then by the subset. */
    public List<Endpoint> endpoints(List<Endpoint> all) {
        return all.stream().filter(e -> service.selects(e.labels()) && e.hasLabels(subsetLabels)).toList();
    }

    public Simple loadBalancing() {
        LoadBalancer lb = policy.loadBalancer();
        Simple simple = lb == null || lb.simple() == null ? Simple.LEAST_REQUEST : lb.simple();
        return simple == Simple.LEAST_CONN || simple == Simple.UNSPECIFIED ? Simple.LEAST_REQUEST : simple;
    }

    /** Envoy's circuit-breaker thresholds: Istio's (unlimited) when the policy sets none. */
    public ConnectionPool connectionPool() {
        ConnectionPool pool = policy.connectionPool();
        return pool != null ? pool : new ConnectionPool(ConnectionPool.UNLIMITED, ConnectionPool.UNLIMITED,
                ConnectionPool.UNLIMITED, 0, ConnectionPool.UNLIMITED, null);
    }

    public Optional<OutlierDetection> outlierDetection() {
        return Optional.ofNullable(policy.outlierDetection());
    }

    /** The locality settings, null when locality load balancing is off for this cluster. */
    public LocalityLbSetting localitySetting() {
        LoadBalancer lb = policy.loadBalancer();
        LocalityLbSetting setting = lb == null ? null : lb.locality();
        if (setting != null && Boolean.FALSE.equals(setting.enabled())) {
            return null;
        }
        return setting != null ? setting : new LocalityLbSetting(null, List.of(), List.of(), List.of());
    }
}
