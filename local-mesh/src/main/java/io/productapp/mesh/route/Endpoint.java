package io.productapp.mesh.route;

import java.util.Map;

/**
 * One instance of a workload, where it answers: its name ({@code catalogdetail-v1-0}), its address
 * on this machine, its pod labels and its locality.
 */
public record Endpoint(String name, String host, int port, Map<String, String> labels, Locality locality) {

    public Endpoint {
        labels = Map.copyOf(labels);
    }

    public String address() {
        return host + ":" + port;
    }

    public boolean hasLabels(Map<String, String> selector) {
        return labels.entrySet().containsAll(selector.entrySet());
    }
}
