package io.productapp.mesh.analysis;

import java.util.List;
import java.util.Map;

import io.productapp.mesh.config.Finding;
import io.productapp.mesh.model.MeshConfig;

/**
 * The istioctl analyze checks that matter for this demo, run over the typed model the router
 * reads too: one class per analyzer, as istio/istio's pkg/config/analysis/analyzers. Codes, levels
 * and meaning follow Istio 1.30's message catalogue; the wording names the object and the field.
 */
final class Analyzer {

    /**
     * In the order findings are listed: each VirtualService's, then each DestinationRule's,
     * Gateway's, EnvoyFilter's and Service's, and last the conflicts between VirtualServices.
     */
    private static final List<MeshAnalyzer> ANALYZERS = List.of(new VirtualServiceAnalyzer(), new SubsetSelectPodAnalyzer(),
            new GatewaySelectorAnalyzer(), new EnvoyPatchAnalyzer(), new PortNameAnalyzer(), new ConflictingMeshGatewayHostsAnalyzer());

    private Analyzer() {
    }

    /**
     * Findings on every object of {@code mesh}; each Deployment's pod template stands for its pods,
     * with {@code extraPods} installed outside (the ingress gateway).
     */
    static List<Finding> analyze(MeshConfig mesh, List<Map<String, String>> extraPods) {
        AnalysisContext context = new AnalysisContext(mesh, extraPods);
        ANALYZERS.forEach(analyzer -> analyzer.analyze(context));
        return context.findings();
    }
}
