package io.productapp.mesh.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.productapp.mesh.config.Finding;
import io.productapp.mesh.config.HostNames;
import io.productapp.mesh.model.Gateway;
import io.productapp.mesh.model.VirtualService;

/**
 * istioctl's virtualservice.GatewayAnalyzer (istio/istio
 * pkg/config/analysis/analyzers/virtualservice/gateways.go): IST0101 for a gateway the
 * VirtualService names that is not defined, IST0132 for a gateway none of its hosts is among.
 */
final class VirtualServiceGatewayAnalyzer {

    private VirtualServiceGatewayAnalyzer() {
    }

    static void analyze(AnalysisContext context, VirtualService vs) {
        for (String name : vs.gateways()) {
            if (name.equals(VirtualService.MESH)) {
                continue;
            }
            Optional<Gateway> gateway = context.mesh().gateway(name, vs.origin().namespace());
            if (gateway.isEmpty()) {
                context.add("IST0101", Finding.Level.ERROR, vs.origin(), "gateway " + name + " is not defined");
            }
            hosts(context, vs, name, gateway);
        }
    }

    /**
     * IST0132, once per gateway, as Istio decides it: when none of the VirtualService's hosts
     * matches any of the gateway's hosts visible from the VirtualService's namespace (a missing
     * gateway has none). Server hosts {@code ./h} are the gateway's namespace's, {@code ns/h} that
     * namespace's, {@code *}{@code /h} every namespace's; names match wildcard-aware both ways.
     */
    private static void hosts(AnalysisContext context, VirtualService vs, String reference, Optional<Gateway> gateway) {
        String namespace = vs.origin().namespace();
        List<String> visible = new ArrayList<>();
        gateway.ifPresent(g -> {
            for (Gateway.Server server : g.servers()) {
                for (String h : server.hosts()) {
                    int slash = h.indexOf('/');
                    String ns = slash < 0 ? null : h.substring(0, slash);
                    String name = h.substring(slash + 1);
                    if (ns == null || ns.equals("*") || ns.equals(namespace) || (ns.equals(".") && g.origin().namespace().equals(namespace))) {
                        visible.add(name);
                    }
                }
            }
        });
        boolean found = vs.hosts().stream().anyMatch(h -> visible.stream().anyMatch(g -> HostNames.match(h, g)));
        if (!found) {
            context.add("IST0132", Finding.Level.WARNING, vs.origin(), "none of the hosts " + vs.hosts() + " is among the hosts of Gateway "
                    + reference + " " + visible + (gateway.isEmpty() ? " (not defined)" : ""));
        }
    }
}
