package io.productapp.mesh.proxy;

import java.util.HashMap;
import java.util.Map;

import io.productapp.mesh.route.Endpoint;

/**
 * Where one proxy's requests are accounted for, each exactly once: a finished {@link StreamInfo}
 * goes to the access log, the counters and the traffic window in {@link #completed}; a try's end
 * to the cluster counters in {@link #tried}; a mirrored copy to the counters and its own edge in
 * {@link #mirrored}. Used from the proxy's event loop; the sinks are read by other threads.
 */
final class Telemetry {

    private final String label;
    private final String source;
    private final AccessLog accessLog;
    private final TrafficStats stats;
    private final TrafficWindow window;
    private final Map<String, Map<String, TrafficStats.Destination>> destinations = new HashMap<>();
    private final Map<String, TrafficWindow.Edge> servedEdges = new HashMap<>();
    private final Map<String, TrafficWindow.Edge> mirroredEdges = new HashMap<>();

    /**
     * @param label how the counters name the proxy ({@code sidecar productcatalog-0})
     * @param source how the traffic view names it ({@code productcatalog-0})
     */
    Telemetry(String label, String source, AccessLog accessLog, TrafficStats stats, TrafficWindow window) {
        this.label = label;
        this.source = source;
        this.accessLog = accessLog;
        this.stats = stats;
        this.window = window;
    }

    AccessLog accessLog() {
        return accessLog;
    }

    /**
     * A request finished (answered, or its caller went away): its line, its counters, its edge. A
     * request no endpoint took goes to its Service's node, or to {@code service:unknown} when the
     * configuration knows no Service for it (as Istio's telemetry says {@code unknown}): one node
     * per made-up host would keep an edge each for good.
     */
    void completed(StreamInfo info) {
        accessLog.log(info);
        destination(info.cluster, info.upstream).request(info);
        String node = info.upstream != null ? info.upstream.name() : TrafficWindow.serviceNode(info.service);
        edge(servedEdges, node, TrafficWindow.Traffic.SERVED).record(info.status, info.flags, info.durationNanos(), info.retries());
    }

    /** A try to {@code endpoint} of {@code cluster} ended. */
    void tried(String cluster, Endpoint endpoint, boolean retried, boolean ejected, long returnsAtNanos) {
        TrafficStats.Destination destination = destination(cluster, endpoint);
        destination.tried();
        if (retried) {
            destination.retried();
        }
        if (ejected) {
            destination.ejected();
            window.ejected(label, endpoint.name(), returnsAtNanos);
        }
    }

    /** A mirrored copy to {@code endpoint} of {@code cluster} ended: {@code status} of its discarded answer, 0 for none. */
    void mirrored(String cluster, Endpoint endpoint, int status, long nanos) {
        destination(cluster, endpoint).mirrored();
        edge(mirroredEdges, endpoint.name(), TrafficWindow.Traffic.MIRRORED).record(status, 0, nanos, 0);
    }

    private TrafficStats.Destination destination(String cluster, Endpoint endpoint) {
        String clusterKey = cluster == null ? "-" : cluster;
        String endpointKey = endpoint == null ? "-" : endpoint.name();
        Map<String, TrafficStats.Destination> byEndpoint = destinations.computeIfAbsent(clusterKey, c -> new HashMap<>());
        TrafficStats.Destination destination = byEndpoint.get(endpointKey);
        if (destination == null) {
            destination = stats.destination(label, clusterKey, endpointKey);
            byEndpoint.put(endpointKey, destination);
        }
        return destination;
    }

    private TrafficWindow.Edge edge(Map<String, TrafficWindow.Edge> edges, String destination, TrafficWindow.Traffic traffic) {
        TrafficWindow.Edge edge = edges.get(destination);
        if (edge == null) {
            edge = window.edge(source, destination, traffic);
            edges.put(destination, edge);
        }
        return edge;
    }
}
