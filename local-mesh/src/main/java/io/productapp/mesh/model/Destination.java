package io.productapp.mesh.model;

/**
 * Where a route sends a request: a host (a Service's short name or FQDN), an optional subset of a
 * DestinationRule, and an optional port (required by Istio when the Service has several).
 */
public record Destination(String host, String subset, Integer port) {

    @Override
    public String toString() {
        return host + (port == null ? "" : ":" + port) + (subset == null ? "" : " subset " + subset);
    }
}
