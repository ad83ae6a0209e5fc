package io.productapp.mesh.analysis;

import java.util.TreeMap;

import io.productapp.mesh.config.Finding;
import io.productapp.mesh.model.Gateway;

/**
 * The selector half of istioctl's gateway.IngressGatewayPortAnalyzer (istio/istio
 * pkg/config/analysis/analyzers/gateway/gateway.go): IST0101 for a Gateway whose selector matches
 * no pod.
 */
final class GatewaySelectorAnalyzer implements MeshAnalyzer {

    @Override
    public void analyze(AnalysisContext context) {
        for (Gateway gateway : context.mesh().gateways()) {
            if (!context.anyPodHas(gateway.selector())) {
                context.add("IST0101", Finding.Level.ERROR, gateway.origin(), "selector " + new TreeMap<>(gateway.selector()) + " matches no gateway pod");
            }
        }
    }
}
