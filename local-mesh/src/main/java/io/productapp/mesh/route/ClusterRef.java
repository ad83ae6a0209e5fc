package io.productapp.mesh.route;

/**
 * One of Envoy's outbound clusters, as Istio names it: {@code outbound|3000|v1|catalogdetail.workshop.svc.cluster.local}.
 * The subset is empty for the whole Service.
 */
public record ClusterRef(String host, int port, String subset) {

    public ClusterRef {
        subset = subset == null ? "" : subset;
    }

    public boolean hasSubset() {
        return !subset.isEmpty();
    }

    @Override
    public String toString() {
        return "outbound|" + port + "|" + subset + "|" + host;
    }
}
