package io.productapp.mesh.model;

import java.util.List;
import java.util.Map;

/**
 * A Deployment (or a bare Pod, a workload of one): how many pods, the labels of its pod template (which Services, subsets and
 * EnvoyFilters select), its container's image, ports by name, environment and readiness path.
 */
public record Workload(Origin origin, int replicas, Map<String, String> podLabels, String image,
        Map<String, Integer> containerPorts, List<EnvVar> env, String readinessPath) {

    public Workload {
        podLabels = Map.copyOf(podLabels);
        containerPorts = Map.copyOf(containerPorts);
        env = List.copyOf(env);
    }

    public String name() {
        return origin.name();
    }

    /** A literal environment variable of the container ({@code valueFrom} ones are not read). */
    public record EnvVar(String name, String value) {
    }
}
