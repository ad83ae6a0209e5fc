package io.productapp.mesh.analysis;

import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

import io.productapp.mesh.config.Finding;
import io.productapp.mesh.model.DestinationRule;
import io.productapp.mesh.model.KubeService;
import io.productapp.mesh.model.MeshConfig;

/**
 * istioctl's destinationrule.SubsetSelectPodAnalyzer (istio/istio
 * pkg/config/analysis/analyzers/destinationrule/subset.go): IST0174 for a DestinationRule whose
 * host matches no Service, IST0173 for a subset that selects no pods.
 */
final class SubsetSelectPodAnalyzer implements MeshAnalyzer {

    @Override
    public void analyze(AnalysisContext context) {
        context.mesh().destinationRules().forEach(dr -> destinationRule(context, dr));
    }

    private static void destinationRule(AnalysisContext context, DestinationRule dr) {
        MeshConfig mesh = context.mesh();
        Optional<KubeService> service = mesh.destinationService(dr.host(), dr.origin().namespace())
                .filter(s -> s.visibleFrom(dr.origin().namespace(), List.of()));
        if (service.isEmpty() && mesh.serviceEntry(dr.host(), dr.origin().namespace(), List.of()).isPresent()) {
            return; // a ServiceEntry's host: its subsets select its endpoints, which the analyzers do not model
        }
        if (service.isEmpty()) {
            context.add("IST0174", Finding.Level.WARNING, dr.origin(), "host " + dr.host() + " matches no Service in namespace "
                    + dr.origin().namespace() + ": the DestinationRule applies to nothing");
            return;
        }
        // As Istio's analyzer: the subset's labels against every pod, whatever the Service selects.
        for (DestinationRule.Subset subset : dr.subsets()) {
            if (!context.anyPodHas(subset.labels())) {
                context.add("IST0173", Finding.Level.ERROR, dr.origin(), "subset " + subset.name() + " (labels " + new TreeMap<>(subset.labels())
                        + ") selects no pods: requests to it would get 503 UH");
            }
        }
    }
}
