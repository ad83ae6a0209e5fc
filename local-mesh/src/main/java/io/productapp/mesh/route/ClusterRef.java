package io.productapp.mesh.route;

import java.util.Objects;

/**
 * One of Envoy's outbound clusters, as Istio names it: {@code outbound|3000|v1|catalogdetail.workshop.svc.cluster.local}.
 * The subset is empty for the whole Service. The name and the hash are made once: counters, access
 * logs and the proxies' cluster maps use them for every request.
 */
public final class ClusterRef {

    private final String host;
    private final int port;
    private final String subset;
    private final String name;
    private final int hash;

    public ClusterRef(String host, int port, String subset) {
        this.host = host;
        this.port = port;
        this.subset = subset == null ? "" : subset;
        this.name = "outbound|" + port + "|" + this.subset + "|" + host;
        this.hash = Objects.hash(host, port, this.subset);
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
        return hash;
    }

    @Override
    public String toString() {
        return name;
    }
}
