package io.productapp.mesh.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.productapp.mesh.config.Finding;
import io.productapp.mesh.model.MeshConfig;
import io.productapp.mesh.model.Origin;
import io.productapp.mesh.model.Workload;

/**
 * What the analyzers share in one run: the configuration in force, the labels of every pod (each
 * Deployment's pod template stands for its pods, with the pods installed outside it, such as the
 * ingress gateway's) and the findings so far, in the order they were added.
 */
final class AnalysisContext {

    private final MeshConfig mesh;
    private final List<Map<String, String>> pods = new ArrayList<>();
    private final List<Finding> findings = new ArrayList<>();

    AnalysisContext(MeshConfig mesh, List<Map<String, String>> extraPods) {
        this.mesh = mesh;
        pods.addAll(extraPods);
        mesh.workloads().stream().map(Workload::podLabels).forEach(pods::add);
    }

    MeshConfig mesh() {
        return mesh;
    }

    /** Whether some pod carries every one of {@code labels}. */
    boolean anyPodHas(Map<String, String> labels) {
        return pods.stream().anyMatch(pod -> pod.entrySet().containsAll(labels.entrySet()));
    }

    void add(String code, Finding.Level level, Origin origin, String message) {
        findings.add(new Finding(code, level, origin.file(), origin.kind() + " " + origin.name(), message));
    }

    List<Finding> findings() {
        return findings;
    }
}
