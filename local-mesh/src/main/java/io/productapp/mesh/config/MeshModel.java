package io.productapp.mesh.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the cluster holds once the chart is installed and the manifests are applied, in the one
 * namespace they share: later objects replace earlier ones of the same kind and name, as
 * {@code kubectl apply} does. Each Deployment's pod template stands in for its pods.
 */
final class MeshModel {

    final String namespace;
    private final Map<String, Manifest> objects = new LinkedHashMap<>();
    private final List<Map<String, String>> extraPods;

    MeshModel(String namespace, List<Map<String, String>> extraPods) {
        this.namespace = namespace;
        this.extraPods = extraPods;
    }

    void apply(Collection<Manifest> manifests) {
        manifests.forEach(m -> objects.put(m.key(), m));
    }

    Collection<Manifest> all() {
        return objects.values();
    }

    List<Manifest> ofKind(String kind) {
        return objects.values().stream().filter(m -> m.kind().equals(kind)).toList();
    }

    /** The Service a host names: {@code catalogdetail}, {@code catalogdetail.<ns>}, {@code ...svc}, {@code ...svc.cluster.local}. */
    Optional<Manifest> service(String host) {
        for (Manifest service : ofKind("Service")) {
            String name = service.name();
            String base = name + "." + namespace;
            if (host.equals(name) || host.equals(base) || host.equals(base + ".svc") || host.equals(base + ".svc.cluster.local")) {
                return Optional.of(service);
            }
        }
        return Optional.empty();
    }

    /** Labels of every pod: the Deployments' pod templates, plus pods installed outside the chart (the ingress gateway). */
    List<Map<String, String>> pods() {
        List<Map<String, String>> pods = new ArrayList<>(extraPods);
        for (Manifest deployment : ofKind("Deployment")) {
            pods.add(labels(deployment.body().path("spec").path("template").path("metadata").path("labels")));
        }
        return pods;
    }

    List<Map<String, String>> podsSelectedBy(Manifest service) {
        Map<String, String> selector = labels(service.spec().path("selector"));
        return pods().stream().filter(pod -> pod.entrySet().containsAll(selector.entrySet())).toList();
    }

    static Map<String, String> labels(JsonNode node) {
        Map<String, String> labels = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }
}
