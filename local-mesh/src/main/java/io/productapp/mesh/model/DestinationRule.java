package io.productapp.mesh.model;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A DestinationRule: its host, a traffic policy, and named subsets of the host's endpoints by label. */
public record DestinationRule(Origin origin, String host, TrafficPolicy trafficPolicy, List<Subset> subsets) {

    public DestinationRule {
        subsets = List.copyOf(subsets);
    }

    public String name() {
        return origin.name();
    }

    public Optional<Subset> subset(String name) {
        return subsets.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public record Subset(String name, Map<String, String> labels, TrafficPolicy trafficPolicy) {
        public Subset {
            labels = Map.copyOf(labels);
        }
    }

    /**
     * The parts of a traffic policy the local mesh applies; a part not given is null. A subset's
     * policy overrides the rule's part by part, as Istio merges them.
     */
    public record TrafficPolicy(LoadBalancer loadBalancer, ConnectionPool connectionPool, OutlierDetection outlierDetection) {

        public static final TrafficPolicy NONE = new TrafficPolicy(null, null, null);

        /** This policy with each part {@code override} gives replacing this one's. */
        public TrafficPolicy overriddenBy(TrafficPolicy override) {
            if (override == null) {
                return this;
            }
            return new TrafficPolicy(
                    override.loadBalancer != null ? override.loadBalancer : loadBalancer,
                    override.connectionPool != null ? override.connectionPool : connectionPool,
                    override.outlierDetection != null ? override.outlierDetection : outlierDetection);
        }
    }

    public enum Simple {
        /** Istio's default (since 1.14): the less busy of two endpoints drawn at random. */
        LEAST_REQUEST, ROUND_ROBIN, RANDOM, PASSTHROUGH, LEAST_CONN, UNSPECIFIED
    }

    /** {@code loadBalancer}: a simple policy and the locality settings. */
    public record LoadBalancer(Simple simple, LocalityLbSetting locality) {
    }

    /**
     * {@code localityLbSetting}. {@code enabled} null means the mesh default (on). {@code distribute}
     * maps a {@code from} locality pattern to weights per {@code to} locality pattern.
     */
    public record LocalityLbSetting(Boolean enabled, List<Distribute> distribute, List<Failover> failover,
            List<String> failoverPriority) {
        public LocalityLbSetting {
            distribute = List.copyOf(distribute);
            failover = List.copyOf(failover);
            failoverPriority = List.copyOf(failoverPriority);
        }
    }

    public record Distribute(String from, Map<String, Integer> to) {
        public Distribute {
            to = Map.copyOf(to);
        }
    }

    public record Failover(String from, String to) {
    }

    /**
     * {@code connectionPool}, with Istio's meaning for absent or zero values: unlimited.
     *
     * @param maxConnections {@code tcp.maxConnections}
     * @param maxPendingRequests {@code http.http1MaxPendingRequests}
     * @param maxRequests {@code http.http2MaxRequests} (Envoy applies it to HTTP/1.1 too)
     * @param maxRequestsPerConnection {@code http.maxRequestsPerConnection}
     * @param maxRetries {@code http.maxRetries}: retries outstanding at once
     * @param connectTimeout {@code tcp.connectTimeout} (Istio's default 10 s when null)
     */
    public record ConnectionPool(int maxConnections, int maxPendingRequests, int maxRequests, int maxRequestsPerConnection,
            int maxRetries, Duration connectTimeout) {

        /** Envoy's circuit breakers when Istio sets nothing: 2^32 - 1, i.e. no limit. */
        public static final int UNLIMITED = Integer.MAX_VALUE;
    }

    /**
     * {@code outlierDetection}, with Envoy's defaults filled in where Istio passes nothing:
     * 5 consecutive 5xx, a 10 s sweep, 30 s base ejection time, at most 10 % ejected.
     */
    public record OutlierDetection(int consecutive5xxErrors, int consecutiveGatewayErrors, Duration interval,
            Duration baseEjectionTime, int maxEjectionPercent, int minHealthPercent) {

        /** Envoy's ceiling on one ejection (max_ejection_time): 300 s, or the base time if larger. */
        public Duration maxEjectionTime() {
            Duration ceiling = Duration.ofSeconds(300);
            return baseEjectionTime.compareTo(ceiling) > 0 ? baseEjectionTime : ceiling;
        }
    }
}
