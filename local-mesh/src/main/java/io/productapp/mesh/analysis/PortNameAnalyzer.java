package io.productapp.mesh.analysis;

import java.util.Set;

import io.productapp.mesh.config.Finding;
import io.productapp.mesh.model.KubeService;

/**
 * istioctl's service.PortNameAnalyzer (istio/istio
 * pkg/config/analysis/analyzers/service/portname.go): IST0118 for a Service port whose name or
 * appProtocol names no protocol.
 */
final class PortNameAnalyzer implements MeshAnalyzer {

    /** Port name prefixes Istio reads as a protocol (protocol selection by name). */
    private static final Set<String> PROTOCOLS = Set.of("http", "http2", "https", "http_proxy", "grpc", "grpc-web", "tcp", "tls",
            "udp", "mongo", "mysql", "redis");
    /** appProtocol values Kubernetes defines that Istio reads. */
    private static final Set<String> KUBERNETES_APP_PROTOCOLS = Set.of("kubernetes.io/h2c", "kubernetes.io/ws", "kubernetes.io/wss");
    /** Ports Istio reads as TCP whatever their name (SMTP, DNS, MySQL, MongoDB). */
    private static final Set<Integer> WELL_KNOWN_TCP = Set.of(25, 53, 3306, 27017);

    @Override
    public void analyze(AnalysisContext context) {
        context.mesh().services().forEach(service -> servicePorts(context, service));
    }

    /**
     * IST0118 as Istio's PortNameAnalyzer decides it: a port's protocol comes from its appProtocol
     * when set, else from its name up to the first '-' (either case; http_proxy and grpc-web too);
     * UDP ports, the well-known ports Istio reads as TCP (25, 53, 3306, 27017) and the control
     * plane's Services (label istio, or release=istio) are not checked; nor are ExternalName
     * Services (Istio reports them as IST0150, which this check does not claim).
     */
    private static void servicePorts(AnalysisContext context, KubeService service) {
        if (service.labels().containsKey("istio") || "istio".equals(service.labels().get("release")) || service.externalName()) {
            return;
        }
        for (KubeService.Port port : service.ports()) {
            if ("UDP".equals(port.protocol()) || WELL_KNOWN_TCP.contains(port.port())) {
                continue;
            }
            String named = port.appProtocol() != null ? port.appProtocol() : port.name();
            if (!namesAProtocol(named)) {
                context.add("IST0118", Finding.Level.INFO, service.origin(), "port " + port.port() + " is named '" + port.name() + "'"
                        + (port.appProtocol() != null ? " with appProtocol '" + port.appProtocol() + "'" : "")
                        + ", which does not name a protocol (http, grpc, tcp, ...)");
            }
        }
    }

    private static boolean namesAProtocol(String name) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("grpc-web") || KUBERNETES_APP_PROTOCOLS.contains(lower)) {
            return true;
        }
        int dash = lower.indexOf('-');
        return PROTOCOLS.contains(dash < 0 ? lower : lower.substring(0, dash));
    }
}
