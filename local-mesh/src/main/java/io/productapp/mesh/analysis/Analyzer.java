package io.productapp.mesh.analysis;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.productapp.mesh.config.Finding;
import io.productapp.mesh.config.HostNames;
import io.productapp.mesh.model.Destination;
import io.productapp.mesh.model.DestinationRule;
import io.productapp.mesh.model.EnvoyFilter;
import io.productapp.mesh.model.Gateway;
import io.productapp.mesh.model.KubeService;
import io.productapp.mesh.model.MeshConfig;
import io.productapp.mesh.model.Origin;
import io.productapp.mesh.model.ServiceEntry;
import io.productapp.mesh.model.VirtualService;
import io.productapp.mesh.model.VirtualService.HttpRoute;
import io.productapp.mesh.model.VirtualService.Mirror;
import io.productapp.mesh.model.VirtualService.RouteDestination;
import io.productapp.mesh.model.Workload;

/**
 * The istioctl analyze checks that matter for this demo, run over the typed model the router
 * reads too. Codes, levels and meaning follow Istio 1.30's message catalogue; the wording names
 * the object and the field.
 */
final class Analyzer {

    /** Port name prefixes Istio reads as a protocol (protocol selection by name). */
    private static final Set<String> PROTOCOLS = Set.of("http", "http2", "https", "http_proxy", "grpc", "grpc-web", "tcp", "tls",
            "udp", "mongo", "mysql", "redis");
    /** appProtocol values Kubernetes defines that Istio reads. */
    private static final Set<String> KUBERNETES_APP_PROTOCOLS = Set.of("kubernetes.io/h2c", "kubernetes.io/ws", "kubernetes.io/wss");
    /** Ports Istio reads as TCP whatever their name (SMTP, DNS, MySQL, MongoDB). */
    private static final Set<Integer> WELL_KNOWN_TCP = Set.of(25, 53, 3306, 27017);
    /** What REPLACE is relative to: a filter or virtual host found by its position among others. */
    private static final Set<String> REPLACED_IN_A_LIST = Set.of("HTTP_FILTER", "NETWORK_FILTER", "VIRTUAL_HOST");
    /** What REMOVE is not relative for (Istio reports those as IST0154 instead). */
    private static final Set<String> REMOVED_WHOLE = Set.of("ROUTE_CONFIGURATION", "HTTP_ROUTE");

    /** Istio's relative operations: INSERT_BEFORE/AFTER always; REMOVE but of a route configuration or route; REPLACE in a list. */
    private static boolean relative(EnvoyFilter.Patch patch) {
        return switch (patch.operation()) {
            case "INSERT_BEFORE", "INSERT_AFTER" -> true;
            case "REMOVE" -> !REMOVED_WHOLE.contains(patch.applyTo());
            case "REPLACE" -> REPLACED_IN_A_LIST.contains(patch.applyTo());
            default -> false;
        };
    }

    private final MeshConfig mesh;
    private final List<Map<String, String>> pods = new ArrayList<>();
    private final List<Finding> findings = new ArrayList<>();
    /** namespace/name+subset of every DestinationRule's subsets, as Istio keys them. */
    private final Set<String> subsets = new HashSet<>();
    private static final Pattern CLUSTER_FQDN = Pattern.compile("(.+)\\.(.+)\\.svc\\.cluster\\.local");

    /** Istio's GetResourceNameFromHost: {@code name.ns.svc.cluster.local} is ns/name; any other host is the namespace's, as written. */
    static String resourceName(String namespace, String host) {
        Matcher fqdn = CLUSTER_FQDN.matcher(host);
        return fqdn.matches() ? fqdn.group(2) + "/" + fqdn.group(1) : namespace + "/" + host;
    }

    private Analyzer(MeshConfig mesh, List<Map<String, String>> extraPods) {
        this.mesh = mesh;
        for (DestinationRule dr : mesh.destinationRules()) {
            dr.subsets().forEach(s -> subsets.add(resourceName(dr.origin().namespace(), dr.host()) + "+" + s.name()));
        }
        pods.addAll(extraPods);
        mesh.workloads().stream().map(Workload::podLabels).forEach(pods::add);
    }

    /**
     * Findings on every object of {@code mesh}; each Deployment's pod template stands for its pods,
     * with {@code extraPods} installed outside (the ingress gateway).
     */
    static List<Finding> analyze(MeshConfig mesh, List<Map<String, String>> extraPods) {
        Analyzer analyzer = new Analyzer(mesh, extraPods);
        mesh.virtualServices().forEach(analyzer::virtualService);
        mesh.destinationRules().forEach(analyzer::destinationRule);
        mesh.gateways().forEach(analyzer::gateway);
        mesh.envoyFilters().forEach(analyzer::envoyFilter);
        mesh.services().forEach(analyzer::servicePorts);
        analyzer.meshHostConflicts();
        return analyzer.findings;
    }

    private void add(String code, Finding.Level level, Origin origin, String message) {
        findings.add(new Finding(code, level, origin.file(), origin.kind() + " " + origin.name(), message));
    }

    // ---- VirtualService ------------------------------------------------------------------------

    private void virtualService(VirtualService vs) {
        for (HttpRoute rule : vs.http()) {
            for (RouteDestination route : rule.route()) {
                destination(vs, route.destination(), "spec.http[" + rule.index() + "].route");
            }
            for (Mirror mirror : rule.mirrors()) {
                destination(vs, mirror.destination(), "spec.http[" + rule.index() + "].mirror");
            }
        }
        for (VirtualService.L4Destination l4 : vs.l4Destinations()) {
            destination(vs, l4.destination(), l4.at());
        }
        for (String name : vs.gateways()) {
            if (name.equals(VirtualService.MESH)) {
                continue;
            }
            Optional<Gateway> gateway = mesh.gateway(name, vs.origin().namespace());
            if (gateway.isEmpty()) {
                add("IST0101", Finding.Level.ERROR, vs.origin(), "gateway " + name + " is not defined");
            }
            gatewayHosts(vs, name, gateway);
        }
    }

    private void destination(VirtualService vs, Destination destination, String at) {
        // The subset, as Istio checks it: by the host as written (its short name in the
        // VirtualService's namespace, or a cluster FQDN), against the subsets of every DestinationRule.
        if (destination.subset() != null && !subsets.contains(resourceName(vs.origin().namespace(), destination.host()) + "+" + destination.subset())) {
            add("IST0101", Finding.Level.ERROR, vs.origin(), "subset " + destination.subset()
                    + " is not defined in any DestinationRule for host " + destination.host());
        }
        Optional<KubeService> service = mesh.destinationService(destination.host(), vs.origin().namespace());
        if (service.isEmpty()) {
            Optional<ServiceEntry> entry = mesh.serviceEntry(destination.host(), vs.origin().namespace(), vs.exportTo());
            if (entry.isEmpty()) {
                add("IST0101", Finding.Level.ERROR, vs.origin(), at + ": host " + destination.host() + " is not a Service in namespace "
                        + vs.origin().namespace() + " nor a ServiceEntry's host");
            } else {
                ports(vs, destination, at, "ServiceEntry " + entry.get().origin().name(), entry.get().ports());
            }
            return;
        }
        if (!service.get().visibleFrom(vs.origin().namespace(), vs.exportTo())) {
            add("IST0101", Finding.Level.ERROR, vs.origin(), at + ": host " + destination.host() + " is not visible from namespace "
                    + vs.origin().namespace() + ": Service " + service.get().namespace() + "/" + service.get().name()
                    + " is exported to " + service.get().exportTo() + " only");
            return;
        }
        ports(vs, destination, at, "Service " + service.get().name(), service.get().ports().stream().map(KubeService.Port::port).toList());
    }

    /** IST0101 for a port the destination's Service or ServiceEntry lacks; IST0112 for none when it has several. */
    private void ports(VirtualService vs, Destination destination, String at, String owner, List<Integer> ports) {
        if (destination.port() != null) {
            if (!ports.contains(destination.port())) {
                add("IST0101", Finding.Level.ERROR, vs.origin(), at + ": port " + destination.port() + " is not a port of " + owner
                        + " (ports: " + ports + ")");
            }
        } else if (ports.size() > 1) {
            add("IST0112", Finding.Level.ERROR, vs.origin(), at + ": " + owner + " exposes several ports " + ports
                    + "; the destination must name one");
        }
    }

    /**
     * IST0132, once per gateway, as Istio decides it: when none of the VirtualService's hosts
     * matches any of the gateway's hosts visible from the VirtualService's namespace (a missing
     * gateway has none). Server hosts {@code ./h} are the gateway's namespace's, {@code ns/h} that
     * namespace's, {@code *}{@code /h} every namespace's; names match wildcard-aware both ways.
     */
    private void gatewayHosts(VirtualService vs, String reference, Optional<Gateway> gateway) {
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
            add("IST0132", Finding.Level.WARNING, vs.origin(), "none of the hosts " + vs.hosts() + " is among the hosts of Gateway "
                    + reference + " " + visible + (gateway.isEmpty() ? " (not defined)" : ""));
        }
    }

    /**
     * IST0109 as Istio keys it: each host of a VirtualService bound to the mesh as its FQDN (a
     * short name in the VirtualService's namespace) in each namespace it is exported to ({@code *}
     * when it names none); two or more VirtualServices under one key conflict, and a key exported
     * to some namespaces also takes those exported everywhere whose host matches it. Each
     * VirtualService is reported once.
     */
    private void meshHostConflicts() {
        Map<String, List<VirtualService>> byKey = new TreeMap<>();
        for (VirtualService vs : mesh.virtualServices()) {
            if (!vs.gateways().contains(VirtualService.MESH)) {
                continue;
            }
            String namespace = vs.origin().namespace();
            List<String> scopes = vs.exportTo().isEmpty() || vs.exportTo().contains("*") ? List.of("*")
                    : vs.exportTo().stream().map(e -> e.equals(".") ? namespace : e).distinct().toList();
            for (String host : vs.hosts()) {
                for (String scope : scopes) {
                    List<VirtualService> group = byKey.computeIfAbsent(scope + "/" + MeshConfig.resolveHost(host, namespace), k -> new ArrayList<>());
                    if (!group.contains(vs)) {
                        group.add(vs);
                    }
                }
            }
        }
        Set<VirtualService> reported = new HashSet<>();
        byKey.forEach((key, group) -> {
            List<VirtualService> conflicting = new ArrayList<>(group);
            if (!key.startsWith("*/")) {
                String host = key.substring(key.indexOf('/') + 1);
                byKey.forEach((other, everywhere) -> {
                    if (other.startsWith("*/") && HostNames.match(other.substring(2), host)) {
                        everywhere.stream().filter(vs -> !conflicting.contains(vs)).forEach(conflicting::add);
                    }
                });
            }
            if (conflicting.size() > 1) {
                String names = conflicting.stream().map(vs -> vs.origin().namespace() + "/" + vs.name()).sorted().collect(Collectors.joining(","));
                for (VirtualService vs : conflicting) {
                    if (reported.add(vs)) {
                        add("IST0109", Finding.Level.ERROR, vs.origin(), "VirtualServices " + names + " bound to the mesh all define host "
                                + key + "; merge them into one");
                    }
                }
            }
        });
    }


    // ---- DestinationRule, Gateway, EnvoyFilter, Service -----------------------------------------

    private void destinationRule(DestinationRule dr) {
        Optional<KubeService> service = mesh.destinationService(dr.host(), dr.origin().namespace())
                .filter(s -> s.visibleFrom(dr.origin().namespace(), List.of()));
        if (service.isEmpty() && mesh.serviceEntry(dr.host(), dr.origin().namespace(), List.of()).isPresent()) {
            return; // a ServiceEntry's host: its subsets select its endpoints, which the analyzers do not model
        }
        if (service.isEmpty()) {
            add("IST0174", Finding.Level.WARNING, dr.origin(), "host " + dr.host() + " matches no Service in namespace "
                    + dr.origin().namespace() + ": the DestinationRule applies to nothing");
            return;
        }
        // As Istio's analyzer: the subset's labels against every pod, whatever the Service selects.
        for (DestinationRule.Subset subset : dr.subsets()) {
            if (pods.stream().noneMatch(pod -> pod.entrySet().containsAll(subset.labels().entrySet()))) {
                add("IST0173", Finding.Level.ERROR, dr.origin(), "subset " + subset.name() + " (labels " + new TreeMap<>(subset.labels())
                        + ") selects no pods: requests to it would get 503 UH");
            }
        }
    }

    private void gateway(Gateway gateway) {
        if (pods.stream().noneMatch(pod -> pod.entrySet().containsAll(gateway.selector().entrySet()))) {
            add("IST0101", Finding.Level.ERROR, gateway.origin(), "selector " + new TreeMap<>(gateway.selector()) + " matches no gateway pod");
        }
    }

    private void envoyFilter(EnvoyFilter filter) {
        if (filter.priority() != 0) {
            return;
        }
        for (EnvoyFilter.Patch patch : filter.patches()) {
            if (patch.operation().isEmpty()) {
                break; // a configPatch without patch: Istio's analyzer reads no further
            }
            if (relative(patch)) {
                add("IST0151", Finding.Level.WARNING, filter.origin(), "spec.configPatches[" + patch.index() + "] uses the relative operation "
                        + patch.operation() + " without spec.priority, so it may not be applied; set a priority");
            }
        }
    }

    /**
     * IST0118 as Istio's PortNameAnalyzer decides it: a port's protocol comes from its appProtocol
     * when set, else from its name up to the first '-' (either case; http_proxy and grpc-web too);
     * UDP ports, the well-known ports Istio reads as TCP (25, 53, 3306, 27017) and the control
     * plane's Services (label istio, or release=istio) are not checked; nor are ExternalName
     * Services (Istio reports them as IST0150, which this check does not claim).
     */
    private void servicePorts(KubeService service) {
        if (service.labels().containsKey("istio") || "istio".equals(service.labels().get("release")) || service.externalName()) {
            return;
        }
        for (KubeService.Port port : service.ports()) {
            if ("UDP".equals(port.protocol()) || WELL_KNOWN_TCP.contains(port.port())) {
                continue;
            }
            String named = port.appProtocol() != null ? port.appProtocol() : port.name();
            if (!namesAProtocol(named)) {
                add("IST0118", Finding.Level.INFO, service.origin(), "port " + port.port() + " is named '" + port.name() + "'"
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
