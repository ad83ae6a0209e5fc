package io.productapp.mesh.model;

import java.util.List;
import java.util.Map;

/**
 * A Deployment (or a bare Pod, a workload of one): how many pods, the labels of its pod template
 * (which Services, subsets and EnvoyFilters select), its container's image, ports by name,
 * environment, and what the kubelet and the Deployment controller read: its probes, restart
 * policy, grace period and rollout strategy.
 */
public record Workload(Origin origin, int replicas, Map<String, String> podLabels, String image,
        Map<String, Integer> containerPorts, List<EnvVar> env, PodSpec pod, Strategy strategy) {

    public Workload {
        podLabels = Map.copyOf(podLabels);
        containerPorts = Map.copyOf(containerPorts);
        env = List.copyOf(env);
    }

    public String name() {
        return origin.name();
    }

    /** The readiness probe's HTTP path, or null. */
    public String readinessPath() {
        return pod.readiness() == null ? null : pod.readiness().path();
    }

    /** A literal environment variable of the container ({@code valueFrom} ones are not read). */
    public record EnvVar(String name, String value) {
    }

    /**
     * What the kubelet reads of the pod template (its first container's probes).
     *
     * @param startup liveness readiness the probes, or null when absent
     * @param restartPolicy {@code Always} (a Deployment's only choice), {@code OnFailure} or {@code Never}
     * @param terminationGracePeriodSeconds between SIGTERM and SIGKILL (default 30)
     */
    public record PodSpec(Probe startup, Probe liveness, Probe readiness, String restartPolicy, int terminationGracePeriodSeconds) {
        public static final PodSpec DEFAULT = new PodSpec(null, null, null, "Always", 30);
    }

    /**
     * A container probe, as the kubelet runs it: an HTTP GET of {@code path} (null: a TCP connect)
     * on {@code port} (a number or a container port's name), with Kubernetes' defaults for what is
     * not written (period 10 s, timeout 1 s, failure threshold 3, success threshold 1).
     */
    public record Probe(String path, String port, int initialDelaySeconds, int periodSeconds, int timeoutSeconds,
            int successThreshold, int failureThreshold) {
    }

    /**
     * A Deployment's strategy: {@code RollingUpdate} with maxSurge and maxUnavailable as written (a
     * number or a percentage; defaults 25 %), or {@code Recreate}; and {@code minReadySeconds}.
     */
    public record Strategy(String type, String maxSurge, String maxUnavailable, int minReadySeconds) {
        public static final Strategy DEFAULT = new Strategy("RollingUpdate", "25%", "25%", 0);
    }
}
