package io.productapp.mesh.analysis;

import java.util.List;
import java.util.Optional;

import io.productapp.mesh.config.Finding;
import io.productapp.mesh.model.Destination;
import io.productapp.mesh.model.KubeService;
import io.productapp.mesh.model.MeshConfig;
import io.productapp.mesh.model.ServiceEntry;
import io.productapp.mesh.model.VirtualService;

/**
 * istioctl's virtualservice.DestinationHostAnalyzer (istio/istio
 * pkg/config/analysis/analyzers/virtualservice/destinationhosts.go): IST0101 for a destination
 * host that is no Service visible from the VirtualService's namespace nor a ServiceEntry's host,
 * or for a port they lack; IST0112 for no port when they have several.
 */
final class DestinationHostAnalyzer {

    private DestinationHostAnalyzer() {
    }

    static void analyze(AnalysisContext context, VirtualService vs, Destination destination, String at) {
        MeshConfig mesh = context.mesh();
        Optional<KubeService> service = mesh.destinationService(destination.host(), vs.origin().namespace());
        if (service.isEmpty()) {
            Optional<ServiceEntry> entry = mesh.serviceEntry(destination.host(), vs.origin().namespace(), vs.exportTo());
            if (entry.isEmpty()) {
                context.add("IST0101", Finding.Level.ERROR, vs.origin(), at + ": host " + destination.host() + " is not a Service in namespace "
                        + vs.origin().namespace() + " nor a ServiceEntry's host");
            } else {
                ports(context, vs, destination, at, "ServiceEntry " + entry.get().origin().name(), entry.get().ports());
            }
            return;
        }
        if (!service.get().visibleFrom(vs.origin().namespace(), vs.exportTo())) {
            context.add("IST0101", Finding.Level.ERROR, vs.origin(), at + ": host " + destination.host() + " is not visible from namespace "
                    + vs.origin().namespace() + ": Service " + service.get().namespace() + "/" + service.get().name()
                    + " is exported to " + service.get().exportTo() + " only");
            return;
        }
        ports(context, vs, destination, at, "Service " + service.get().name(), service.get().ports().stream().map(KubeService.Port::port).toList());
    }

    /** IST0101 for a port the destination's Service or ServiceEntry lacks; IST0112 for none when it has several. */
    private static void ports(AnalysisContext context, VirtualService vs, Destination destination, String at, String owner, List<Integer> ports) {
        if (destination.port() != null) {
            if (!ports.contains(destination.port())) {
                context.add("IST0101", Finding.Level.ERROR, vs.origin(), at + ": port " + destination.port() + " is not a port of " + owner
                        + " (ports: " + ports + ")");
            }
        } else if (ports.size() > 1) {
            context.add("IST0112", Finding.Level.ERROR, vs.origin(), at + ": " + owner + " exposes several ports " + ports
                    + "; the destination must name one");
        }
    }
}
