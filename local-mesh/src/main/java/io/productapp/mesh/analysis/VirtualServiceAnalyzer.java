package io.productapp.mesh.analysis;

import io.productapp.mesh.model.Destination;
import io.productapp.mesh.model.VirtualService;
import io.productapp.mesh.model.VirtualService.HttpRoute;
import io.productapp.mesh.model.VirtualService.Mirror;
import io.productapp.mesh.model.VirtualService.RouteDestination;

/**
 * istioctl's analyzers of what a VirtualService refers to (istio/istio
 * pkg/config/analysis/analyzers/virtualservice: DestinationRuleAnalyzer, DestinationHostAnalyzer,
 * GatewayAnalyzer), run VirtualService by VirtualService so that each one's findings stay
 * together in the order of its fields: each destination's subset, then its host and port
 * ({@link DestinationSubsetAnalyzer}, {@link DestinationHostAnalyzer}), then its gateways
 * ({@link VirtualServiceGatewayAnalyzer}).
 */
final class VirtualServiceAnalyzer implements MeshAnalyzer {

    @Override
    public void analyze(AnalysisContext context) {
        DestinationSubsetAnalyzer subsets = new DestinationSubsetAnalyzer(context.mesh());
        for (VirtualService vs : context.mesh().virtualServices()) {
            for (HttpRoute rule : vs.http()) {
                for (RouteDestination route : rule.route()) {
                    destination(context, subsets, vs, route.destination(), "spec.http[" + rule.index() + "].route");
                }
                for (Mirror mirror : rule.mirrors()) {
                    destination(context, subsets, vs, mirror.destination(), "spec.http[" + rule.index() + "].mirror");
                }
            }
            for (VirtualService.L4Destination l4 : vs.l4Destinations()) {
                destination(context, subsets, vs, l4.destination(), l4.at());
            }
            VirtualServiceGatewayAnalyzer.analyze(context, vs);
        }
    }

    private static void destination(AnalysisContext context, DestinationSubsetAnalyzer subsets, VirtualService vs, Destination destination,
            String at) {
        subsets.analyze(context, vs, destination);
        DestinationHostAnalyzer.analyze(context, vs, destination, at);
    }
}
