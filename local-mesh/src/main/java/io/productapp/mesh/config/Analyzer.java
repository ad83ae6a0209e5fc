package io.productapp.mesh.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The istioctl analyze checks that matter for this demo, run over a {@link MeshModel}. Codes,
 * levels and meaning follow Istio 1.30's message catalogue; the wording names the object and
 * the field.
 */
final class Analyzer {

    /** Port name prefixes Istio reads as a protocol (protocol selection by name). */
    private static final List<String> PROTOCOLS = List.of("http", "http2", "https", "grpc", "grpc-web", "tcp", "tls",
            "udp", "mongo", "mysql", "redis");
    private static final Set<String> RELATIVE_OPERATIONS = Set.of("INSERT_BEFORE", "INSERT_AFTER");

    private final MeshModel mesh;
    private final List<Finding> findings = new ArrayList<>();

    private Analyzer(MeshModel mesh) {
        this.mesh = mesh;
    }

    static List<Finding> analyze(MeshModel mesh) {
        Analyzer analyzer = new Analyzer(mesh);
        mesh.ofKind("VirtualService").forEach(analyzer::virtualService);
        mesh.ofKind("DestinationRule").forEach(analyzer::destinationRule);
        mesh.ofKind("Gateway").forEach(analyzer::gateway);
        mesh.ofKind("EnvoyFilter").forEach(analyzer::envoyFilter);
        mesh.ofKind("Service").forEach(analyzer::servicePorts);
        analyzer.meshHostConflicts();
        return analyzer.findings;
    }

    // ---- VirtualService ------------------------------------------------------------------

    private void virtualService(Manifest vs) {
        JsonNode http = vs.spec().path("http");
        for (int i = 0; i < http.size(); i++) {
            JsonNode rule = http.get(i);
            for (JsonNode route : rule.path("route")) {
                destination(vs, route.path("destination"), "spec.http[" + i + "].route");
            }
            if (rule.has("mirror")) {
                destination(vs, rule.path("mirror"), "spec.http[" + i + "].mirror");
            }
            for (JsonNode mirror : rule.path("mirrors")) {
                destination(vs, mirror.path("destination"), "spec.http[" + i + "].mirrors");
            }
        }
        for (JsonNode gatewayName : vs.spec().path("gateways")) {
            String name = gatewayName.asText();
            if (name.equals("mesh")) {
                continue;
            }
            String shortName = name.contains("/") ? name.substring(name.indexOf('/') + 1) : name;
            Optional<Manifest> gateway = mesh.ofKind("Gateway").stream().filter(g -> g.name().equals(shortName)).findFirst();
            if (gateway.isEmpty()) {
                findings.add(Finding.error("IST0101", vs, "gateway " + name + " is not defined"));
            } else {
                gatewayHosts(vs, gateway.get());
            }
        }
        unreachableRules(vs);
    }

    private void destination(Manifest vs, JsonNode destination, String at) {
        String host = destination.path("host").asText();
        Optional<Manifest> service = mesh.service(host);
        if (service.isEmpty()) {
            findings.add(Finding.error("IST0101", vs, at + ": host " + host + " is not a Service in namespace " + mesh.namespace));
            return;
        }
        if (destination.hasNonNull("subset")) {
            String subset = destination.path("subset").asText();
            boolean defined = mesh.ofKind("DestinationRule").stream()
                    .filter(dr -> mesh.service(dr.spec().path("host").asText()).equals(service))
                    .flatMap(dr -> iterable(dr.spec().path("subsets")).stream())
                    .anyMatch(s -> s.path("name").asText().equals(subset));
            if (!defined) {
                findings.add(Finding.error("IST0101", vs, "subset " + subset + " is not defined in any DestinationRule for host " + host));
            }
        }
        List<Integer> ports = iterable(service.get().spec().path("ports")).stream().map(p -> p.path("port").asInt()).toList();
        if (destination.path("port").has("number")) {
            int port = destination.path("port").path("number").asInt();
            if (!ports.contains(port)) {
                findings.add(Finding.error("IST0101", vs, at + ": port " + port + " is not a port of Service " + service.get().name()
                        + " (ports: " + ports + ")"));
            }
        } else if (ports.size() > 1) {
            findings.add(Finding.error("IST0112", vs, at + ": Service " + service.get().name() + " exposes several ports "
                    + ports + "; the destination must name one"));
        }
    }

    private void gatewayHosts(Manifest vs, Manifest gateway) {
        List<String> gatewayHosts = new ArrayList<>();
        for (JsonNode server : gateway.spec().path("servers")) {
            for (JsonNode host : server.path("hosts")) {
                String h = host.asText();
                gatewayHosts.add(h.contains("/") ? h.substring(h.indexOf('/') + 1) : h);
            }
        }
        for (JsonNode host : vs.spec().path("hosts")) {
            String h = host.asText();
            boolean covered = gatewayHosts.stream().anyMatch(g -> g.equals("*") || g.equals(h)
                    || (g.startsWith("*.") && h.endsWith(g.substring(1))));
            if (!covered) {
                findings.add(Finding.warning("IST0132", vs, "host " + h + " is not among the hosts of Gateway " + gateway.name() + " " + gatewayHosts));
            }
        }
    }

    /** IST0130: rules after one that matches everything; IST0131: a match an earlier one already covers. */
    private void unreachableRules(Manifest vs) {
        JsonNode http = vs.spec().path("http");
        int catchAll = -1;
        List<int[]> earlier = new ArrayList<>();
        for (int i = 0; i < http.size(); i++) {
            JsonNode matches = http.get(i).path("match");
            if (catchAll >= 0) {
                findings.add(Finding.warning("IST0130", vs, "rule spec.http[" + i + "] is never used: rule spec.http[" + catchAll
                        + "] before it matches every request"));
                continue;
            }
            if (matches.isEmpty() || iterable(matches).stream().anyMatch(Analyzer::matchesEverything)) {
                catchAll = i;
            }
            for (int m = 0; m < matches.size(); m++) {
                for (int[] before : earlier) {
                    if (covers(http.get(before[0]).path("match").get(before[1]), matches.get(m))) {
                        findings.add(Finding.info("IST0131", vs, "spec.http[" + i + "].match[" + m + "] is never used: spec.http["
                                + before[0] + "].match[" + before[1] + "] already matches every request it would"));
                        break;
                    }
                }
            }
            for (int m = 0; m < matches.size(); m++) {
                earlier.add(new int[] { i, m });
            }
        }
    }

    private static boolean matchesEverything(JsonNode match) {
        Map<String, JsonNode> fields = fields(match);
        fields.remove("name");
        if (fields.isEmpty()) {
            return true;
        }
        return fields.size() == 1 && "/".equals(match.path("uri").path("prefix").asText(null));
    }

    /** Whether every request that {@code later} matches is already matched by {@code earlier}. */
    private static boolean covers(JsonNode earlier, JsonNode later) {
        Map<String, JsonNode> conditions = fields(earlier);
        conditions.remove("name");
        for (Map.Entry<String, JsonNode> condition : conditions.entrySet()) {
            JsonNode other = later.path(condition.getKey());
            if (condition.getKey().equals("uri") && condition.getValue().has("prefix") && !condition.getValue().path("ignoreUriCase").asBoolean()) {
                String prefix = condition.getValue().path("prefix").asText();
                String laterPath = other.has("exact") ? other.path("exact").asText(null) : other.path("prefix").asText(null);
                if (laterPath == null || !laterPath.startsWith(prefix) || other.path("ignoreUriCase").asBoolean()) {
                    return false;
                }
            } else if (condition.getKey().equals("headers")) {
                for (Map.Entry<String, JsonNode> header : fields(condition.getValue()).entrySet()) {
                    if (!header.getValue().equals(lowerCaseKeys(other).get(header.getKey().toLowerCase()))) {
                        return false;
                    }
                }
            } else if (!condition.getValue().equals(other)) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, JsonNode> lowerCaseKeys(JsonNode node) {
        Map<String, JsonNode> map = new LinkedHashMap<>();
        fields(node).forEach((k, v) -> map.put(k.toLowerCase(), v));
        return map;
    }

    /** IST0109: two mesh VirtualServices for one host (the ones bound only to gateways do not count). */
    private void meshHostConflicts() {
        Map<String, List<Manifest>> byHost = new TreeMap<>();
        for (Manifest vs : mesh.ofKind("VirtualService")) {
            JsonNode gateways = vs.spec().path("gateways");
            boolean mesh = gateways.isEmpty() || iterable(gateways).stream().anyMatch(g -> g.asText().equals("mesh"));
            if (!mesh) {
                continue;
            }
            for (JsonNode host : vs.spec().path("hosts")) {
                String key = this.mesh.service(host.asText()).map(Manifest::name).orElse(host.asText());
                byHost.computeIfAbsent(key, k -> new ArrayList<>()).add(vs);
            }
        }
        byHost.forEach((host, services) -> {
            if (services.size() > 1) {
                String names = services.stream().map(Manifest::name).collect(Collectors.joining(", "));
                for (Manifest vs : services) {
                    findings.add(Finding.error("IST0109", vs, "VirtualServices " + names + " bound to the mesh all define host " + host
                            + "; merge them into one"));
                }
            }
        });
    }

    // ---- DestinationRule, Gateway, EnvoyFilter, Service -----------------------------------

    private void destinationRule(Manifest dr) {
        String host = dr.spec().path("host").asText();
        Optional<Manifest> service = mesh.service(host);
        if (service.isEmpty()) {
            findings.add(Finding.error("IST0101", dr, "host " + host + " is not a Service in namespace " + mesh.namespace));
            return;
        }
        List<Map<String, String>> pods = mesh.podsSelectedBy(service.get());
        for (JsonNode subset : dr.spec().path("subsets")) {
            Map<String, String> labels = MeshModel.labels(subset.path("labels"));
            if (pods.stream().noneMatch(pod -> pod.entrySet().containsAll(labels.entrySet()))) {
                findings.add(Finding.error("IST0173", dr, "subset " + subset.path("name").asText() + " (labels " + labels
                        + ") selects no pods of Service " + service.get().name() + ": requests to it would get 503 UH"));
            }
        }
    }

    private void gateway(Manifest gateway) {
        Map<String, String> selector = MeshModel.labels(gateway.spec().path("selector"));
        if (mesh.pods().stream().noneMatch(pod -> pod.entrySet().containsAll(selector.entrySet()))) {
            findings.add(Finding.error("IST0101", gateway, "selector " + selector + " matches no gateway pod"));
        }
    }

    private void envoyFilter(Manifest filter) {
        boolean prioritised = filter.spec().path("priority").asInt(0) != 0;
        JsonNode patches = filter.spec().path("configPatches");
        for (int i = 0; i < patches.size(); i++) {
            String operation = patches.get(i).path("patch").path("operation").asText();
            if (RELATIVE_OPERATIONS.contains(operation) && !prioritised) {
                findings.add(Finding.warning("IST0151", filter, "spec.configPatches[" + i + "] uses the relative operation " + operation
                        + " without spec.priority, so it may not be applied; set a priority"));
            }
        }
    }

    private void servicePorts(Manifest service) {
        for (JsonNode port : service.spec().path("ports")) {
            String name = port.path("name").asText("");
            boolean named = PROTOCOLS.stream().anyMatch(p -> name.equals(p) || name.startsWith(p + "-"));
            if (!named && !port.has("appProtocol")) {
                findings.add(Finding.info("IST0118", service, "port " + port.path("port").asInt() + " is named '" + name
                        + "', which does not start with a protocol (http, grpc, tcp, ...)"));
            }
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static List<JsonNode> iterable(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list;
    }

    private static Map<String, JsonNode> fields(JsonNode node) {
        Map<String, JsonNode> map = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue()));
        return map;
    }
}
