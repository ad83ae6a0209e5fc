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
import io.productapp.mesh.model.Destination;
import io.productapp.mesh.model.DestinationRule;
import io.productapp.mesh.model.EnvoyFilter;
import io.productapp.mesh.model.Gateway;
import io.productapp.mesh.model.KubeService;
import io.productapp.mesh.model.MeshConfig;
import io.productapp.mesh.model.Origin;
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
    private static final List<String> PROTOCOLS = List.of("http", "http2", "https", "grpc", "grpc-web", "tcp", "tls",
            "udp", "mongo", "mysql", "redis");
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
        Optional<KubeService> service = mesh.service(destination.host(), vs.origin().namespace());
        if (service.isEmpty()) {
            add("IST0101", Finding.Level.ERROR, vs.origin(), at + ": host " + destination.host() + " is not a Service in namespace "
                    + vs.origin().namespace());
            return;
        }
        List<Integer> ports = service.get().ports().stream().map(KubeService.Port::port).toList();
        if (destination.port() != null) {
            if (!ports.contains(destination.port())) {
                add("IST0101", Finding.Level.ERROR, vs.origin(), at + ": port " + destination.port() + " is not a port of Service "
                        + service.get().name() + " (ports: " + ports + ")");
            }
        } else if (ports.size() > 1) {
            add("IST0112", Finding.Level.ERROR, vs.origin(), at + ": Service " + service.get().name() + " exposes several ports "
                    + ports + "; the destination must name one");
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
        boolean found = vs.hosts().stream().anyMatch(h -> visible.stream().anyMatch(g -> hostsMatch(h, g)));
        if (!found) {
            add("IST0132", Finding.Level.WARNING, vs.origin(), "none of the hosts " + vs.hosts() + " is among the hosts of Gateway "
                    + reference + " " + visible + (gateway.isEmpty() ? " (not defined)" : ""));
        }
    }

    /** Istio's host.Name.Matches: equal names; a wildcard matches the names it suffixes, either way; {@code *} everything. */
    static boolean hostsMatch(String a, String b) {
        if (a.equals("*") || b.equals("*")) {
            return true;
        }
        boolean wildA = a.startsWith("*");
        boolean wildB = b.startsWith("*");
        if (wildA && wildB) {
            String suffixA = a.substring(1);
            String suffixB = b.substring(1);
            return suffixA.length() >= suffixB.length() ? suffixA.endsWith(suffixB) : suffixB.endsWith(suffixA);
        }
        if (wildA) {
            return b.endsWith(a.substring(1));
        }
        if (wildB) {
            return a.endsWith(b.substring(1));
        }
        return a.equals(b);
    }

    /** IST0109: two mesh VirtualServices for one host (the ones bound only to gateways do not count). */
    private void meshHostConflicts() {
        Map<String, List<VirtualService>> byHost = new TreeMap<>();
        for (VirtualService vs : mesh.virtualServices()) {
            if (!vs.gateways().contains(VirtualService.MESH)) {
                continue;
            }
            for (String host : vs.hosts()) {
                String key = mesh.service(host, vs.origin().namespace()).map(KubeService::name).orElse(host);
                byHost.computeIfAbsent(key, k -> new ArrayList<>()).add(vs);
            }
        }
        byHost.forEach((host, services) -> {
            if (services.size() > 1) {
                String names = services.stream().map(VirtualService::name).collect(Collectors.joining(", "));
                for (VirtualService vs : services) {
                    add("IST0109", Finding.Level.ERROR, vs.origin(), "VirtualServices " + names + " bound to the mesh all define host "
                            + host + "; merge them into one");
                }
            }
        });
    }

    // ---- DestinationRule, Gateway, EnvoyFilter, Service -----------------------------------------

    private void destinationRule(DestinationRule dr) {
        Optional<KubeService> service = mesh.service(dr.host(), dr.origin().namespace());
        if (service.isEmpty()) {
            add("IST0174", Finding.Level.WARNING, dr.origin(), "host " + dr.host() + " matches no Service in namespace "
                    + dr.origin().namespace() + ": the DestinationRule applies to nothing");
            return;
        }
        List<Map<String, String>> selected = pods.stream().filter(service.get()::selects).toList();
        for (DestinationRule.Subset subset : dr.subsets()) {
            if (selected.stream().noneMatch(pod -> pod.entrySet().containsAll(subset.labels().entrySet()))) {
                add("IST0173", Finding.Level.ERROR, dr.origin(), "subset " + subset.name() + " (labels " + new TreeMap<>(subset.labels())
                        + ") selects no pods of Service " + service.get().name() + ": requests to it would get 503 UH");
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

    private void servicePorts(KubeService service) {
        for (KubeService.Port port : service.ports()) {
            String name = port.name();
            boolean named = PROTOCOLS.stream().anyMatch(p -> name.equals(p) || name.startsWith(p + "-"));
            if (!named && port.appProtocol() == null) {
                add("IST0118", Finding.Level.INFO, service.origin(), "port " + port.port() + " is named '" + name
                        + "', which does not start with a protocol (http, grpc, tcp, ...)");
            }
        }
    }
}
