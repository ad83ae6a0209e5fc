package io.productapp.mesh.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Kubernetes Service: its ports and the pod labels it selects; its own labels, and whether it is
 * an {@code ExternalName} alias (which the analyzers treat apart).
 */
public record KubeService(Origin origin, Map<String, String> selector, List<Port> ports, Map<String, String> labels,
        boolean externalName, List<String> exportTo) {

    public KubeService {
        selector = Map.copyOf(selector);
        ports = List.copyOf(ports);
        labels = Map.copyOf(labels);
        exportTo = List.copyOf(exportTo);
    }

    /** A ClusterIP Service without labels of its own. */
    public KubeService(Origin origin, Map<String, String> selector, List<Port> ports) {
        this(origin, selector, ports, Map.of(), false, List.of());
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

    /**
     * Whether an object in {@code namespace} with these {@code exportTo} entries (none: its own
     * namespace) sees this Service, as Istio scopes it: by the Service's annotation
     * {@code networking.istio.io/exportTo} (none: everywhere; {@code .}: its own namespace).
     */
    public boolean visibleFrom(String namespace, List<String> referrerExportTo) {
        return Visibility.visible(exportTo, namespace(), namespace, referrerExportTo);
    }

    public boolean selects(Map<String, String> labels) {
        return !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
    }

    /** A Service port; {@code targetPort} is the container port, a number or a port name; protocol TCP unless said. */
    public record Port(String name, int port, String targetPort, String appProtocol, String protocol) {
        public Port(String name, int port, String targetPort, String appProtocol) {
            this(name, port, targetPort, appProtocol, "TCP");
        }
    }
}
