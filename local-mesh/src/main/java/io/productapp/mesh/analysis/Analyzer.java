package io.productapp.mesh.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import io.productapp.mesh.config.Finding;
import io.productapp.mesh.model.Destination;
import io.productapp.mesh.model.DestinationRule;
import io.productapp.mesh.model.EnvoyFilter;
import io.productapp.mesh.model.Gateway;
import io.productapp.mesh.model.KubeService;
import io.productapp.mesh.model.MeshConfig;
import io.productapp.mesh.model.Origin;
import io.productapp.mesh.model.StringMatch;
import io.productapp.mesh.model.VirtualService;
import io.productapp.mesh.model.VirtualService.HttpMatch;
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
    private static final Set<String> RELATIVE_OPERATIONS = Set.of("INSERT_BEFORE", "INSERT_AFTER");

    private final MeshConfig mesh;
    private final List<Map<String, String>> pods = new ArrayList<>();
    private final List<Finding> findings = new ArrayList<>();

    private Analyzer(MeshConfig mesh, List<Map<String, String>> extraPods) {
        this.mesh = mesh;
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
            } else {
                gatewayHosts(vs, gateway.get());
            }
        }
        unreachableRules(vs);
    }

    private void destination(VirtualService vs, Destination destination, String at) {
        Optional<KubeService> service = mesh.service(destination.host(), vs.origin().namespace());
        if (service.isEmpty()) {
            add("IST0101", Finding.Level.ERROR, vs.origin(), at + ": host " + destination.host() + " is not a Service in namespace "
                    + vs.origin().namespace());
            return;
        }
        if (destination.subset() != null) {
            boolean defined = mesh.destinationRule(service.get()).flatMap(dr -> dr.subset(destination.subset())).isPresent();
            if (!defined) {
                add("IST0101", Finding.Level.ERROR, vs.origin(), "subset " + destination.subset()
                        + " is not defined in any DestinationRule for host " + destination.host());
            }
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

    private void gatewayHosts(VirtualService vs, Gateway gateway) {
        List<String> gatewayHosts = new ArrayList<>();
        for (Gateway.Server server : gateway.servers()) {
            for (String h : server.hosts()) {
                gatewayHosts.add(h.contains("/") ? h.substring(h.indexOf('/') + 1) : h);
            }
        }
        for (String h : vs.hosts()) {
            boolean covered = gatewayHosts.stream().anyMatch(g -> g.equals("*") || g.equals(h)
                    || (g.startsWith("*.") && h.endsWith(g.substring(1))));
            if (!covered) {
                add("IST0132", Finding.Level.WARNING, vs.origin(), "host " + h + " is not among the hosts of Gateway "
                        + gateway.name() + " " + gatewayHosts);
            }
        }
    }

    /** IST0130: rules after one that matches everything; IST0131: a match an earlier one already covers. */
    private void unreachableRules(VirtualService vs) {
        int catchAll = -1;
        List<HttpMatch> earlier = new ArrayList<>();
        List<String> earlierAt = new ArrayList<>();
        for (HttpRoute rule : vs.http()) {
            int i = rule.index();
            if (catchAll >= 0) {
                add("IST0130", Finding.Level.WARNING, vs.origin(), "rule spec.http[" + i + "] is never used: rule spec.http["
                        + catchAll + "] before it matches every request");
                continue;
            }
            if (rule.matches().isEmpty() || rule.matches().stream().anyMatch(Analyzer::matchesEverything)) {
                catchAll = i;
            }
            for (int m = 0; m < rule.matches().size(); m++) {
                for (int e = 0; e < earlier.size(); e++) {
                    if (covers(earlier.get(e), rule.matches().get(m))) {
                        add("IST0131", Finding.Level.INFO, vs.origin(), "spec.http[" + i + "].match[" + m + "] is never used: "
                                + earlierAt.get(e) + " already matches every request it would");
                        break;
                    }
                }
            }
            for (int m = 0; m < rule.matches().size(); m++) {
                earlier.add(rule.matches().get(m));
                earlierAt.add("spec.http[" + i + "].match[" + m + "]");
            }
        }
    }

    /** A match with no condition, or with {@code uri: {prefix: /}} alone. */
    private static boolean matchesEverything(HttpMatch match) {
        boolean others = match.method() != null || match.authority() != null || match.scheme() != null || !match.headers().isEmpty()
                || !match.withoutHeaders().isEmpty() || !match.queryParams().isEmpty() || match.port() != null
                || !match.sourceLabels().isEmpty() || !match.gateways().isEmpty() || match.ignoreUriCase();
        return !others && (match.uri() == null || (match.uri() instanceof StringMatch.Prefix prefix && prefix.value().equals("/")));
    }

    /** Whether every request that {@code later} matches is already matched by {@code earlier}. */
    private static boolean covers(HttpMatch earlier, HttpMatch later) {
        if (earlier.uri() != null) {
            if (earlier.uri() instanceof StringMatch.Prefix prefix && !earlier.ignoreUriCase()) {
                String laterPath = later.uri() instanceof StringMatch.Exact exact ? exact.value()
                        : later.uri() instanceof StringMatch.Prefix laterPrefix ? laterPrefix.value() : null;
                if (laterPath == null || !laterPath.startsWith(prefix.value()) || later.ignoreUriCase()) {
                    return false;
                }
            } else if (!earlier.uri().equals(later.uri()) || earlier.ignoreUriCase() != later.ignoreUriCase()) {
                return false;
            }
        } else if (earlier.ignoreUriCase() && !later.ignoreUriCase()) {
            return false;
        }
        for (Map.Entry<String, StringMatch> header : earlier.headers().entrySet()) {
            if (!header.getValue().equals(later.headers().get(header.getKey()))) {
                return false;
            }
        }
        return same(earlier.method(), later.method()) && same(earlier.authority(), later.authority())
                && same(earlier.scheme(), later.scheme()) && later.withoutHeaders().entrySet().containsAll(earlier.withoutHeaders().entrySet())
                && later.queryParams().entrySet().containsAll(earlier.queryParams().entrySet())
                && (earlier.port() == null || earlier.port().equals(later.port()))
                && later.sourceLabels().entrySet().containsAll(earlier.sourceLabels().entrySet())
                && (earlier.gateways().isEmpty() || earlier.gateways().equals(later.gateways()));
    }

    /** An earlier condition covers a later one when it is absent or the same. */
    private static boolean same(StringMatch earlier, StringMatch later) {
        return earlier == null || earlier.equals(later);
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
            add("IST0101", Finding.Level.ERROR, dr.origin(), "host " + dr.host() + " is not a Service in namespace " + dr.origin().namespace());
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
            if (RELATIVE_OPERATIONS.contains(patch.operation())) {
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
