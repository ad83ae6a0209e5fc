package io.productapp.mesh.route;

import java.util.Objects;

/**
 * One of Envoy's outbound clusters, as Istio names it: {@code outbound|3000|v1|catalogdetail.workshop.svc.cluster.local}.
 * The subset is empty for the whole Service. The name is made once: counters and access logs
 * print it for every request.
 */
public final class ClusterRef {

    private final String host;
    private final int port;
    private final String subset;
    private final String name;

    public ClusterRef(String host, int port, String subset) {
        this.host = host;
        this.port = port;
        this.subset = subset == null ? "" : subset;
        this.name = "outbound|" + port + "|" + this.subset + "|" + host;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String subset() {
        return subset;
    }

    public boolean hasSubset() {
        return !subset.isEmpty();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ClusterRef ref && ref.port == port && ref.host.equals(host) && ref.subset.equals(subset);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port, subset);
    }

    @Override
    public String toString() {
        return name;
    }
}
