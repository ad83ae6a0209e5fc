package io.productapp.mesh.analysis;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.productapp.mesh.config.Finding;
import io.productapp.mesh.model.Destination;
import io.productapp.mesh.model.DestinationRule;
import io.productapp.mesh.model.MeshConfig;
import io.productapp.mesh.model.VirtualService;

/**
 * istioctl's virtualservice.DestinationRuleAnalyzer (istio/istio
 * pkg/config/analysis/analyzers/virtualservice/destinationrules.go): IST0101 for a destination's
 * subset that no DestinationRule defines.
 */
final class DestinationSubsetAnalyzer {

    private static final Pattern CLUSTER_FQDN = Pattern.compile("(.+)\\.(.+)\\.svc\\.cluster\\.local");

    /** namespace/name+subset of every DestinationRule's subsets, as Istio keys them. */
    private final Set<String> subsets = new HashSet<>();

    DestinationSubsetAnalyzer(MeshConfig mesh) {
        for (DestinationRule dr : mesh.destinationRules()) {
            dr.subsets().forEach(s -> subsets.add(resourceName(dr.origin().namespace(), dr.host()) + "+" + s.name()));
        }
    }

    /** Istio's GetResourceNameFromHost: {@code name.ns.svc.cluster.local} is ns/name; any other host is the namespace's, as written. */
    static String resourceName(String namespace, String host) {
        Matcher fqdn = CLUSTER_FQDN.matcher(host);
        return fqdn.matches() ? fqdn.group(2) + "/" + fqdn.group(1) : namespace + "/" + host;
    }

    void analyze(AnalysisContext context, VirtualService vs, Destination destination) {
        // The subset, as Istio checks it: by the host as written (its short name in the
        // VirtualService's namespace, or a cluster FQDN), against the subsets of every DestinationRule.
        if (destination.subset() != null && !subsets.contains(resourceName(vs.origin().namespace(), destination.host()) + "+" + destination.subset())) {
            context.add("IST0101", Finding.Level.ERROR, vs.origin(), "subset " + destination.subset()
                    + " is not defined in any DestinationRule for host " + destination.host());
        }
    }
}
