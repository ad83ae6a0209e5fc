package io.productapp.mesh.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A Kubernetes Service: its ports and the pod labels it selects. */
public record KubeService(Origin origin, Map<String, String> selector, List<Port> ports) {

    public KubeService {
        selector = Map.copyOf(selector);
        ports = List.copyOf(ports);
    }

    public String name() {
        return origin.name();
    }

    public String namespace() {
        return origin.namespace();
    }

    /** {@code name.namespace.svc.cluster.local}: the name Istio keys its clusters by. */
    public String fqdn() {
        return name() + "." + namespace() + ".svc.cluster.local";
    }

    public Optional<Port> port(int number) {
        for (Port port : ports) {
            if (port.port() == number) {
                return Optional.of(port);
            }
        }
        return Optional.empty();
    }

    public boolean selects(Map<String, String> labels) {
        return !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
    }

    /** A Service port; {@code targetPort} is the container port, a number or a port name. */
    public record Port(String name, int port, String targetPort, String appProtocol) {
    }
}
