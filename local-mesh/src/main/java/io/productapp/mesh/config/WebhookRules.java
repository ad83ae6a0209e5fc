package io.productapp.mesh.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What Istio's validating webhook (istio/istio pkg/config/validation) refuses beyond the schema,
 * for the fields our scenarios use. Note what it does not refuse: weights need not sum to 100.
 */
public final class WebhookRules {

    private static final int MAX_REGEX = 1024;
    /** RE2 has no look-around and no back-references; java.util.regex would accept them. */
    private static final Pattern NOT_RE2 = Pattern.compile("\\(\\?<?[=!]|\\\\[1-9]");

    private WebhookRules() {
    }

    public static List<Finding> check(Manifest manifest) {
        List<Finding> findings = new ArrayList<>();
        switch (manifest.kind()) {
            case "VirtualService" -> virtualService(manifest, findings);
            case "DestinationRule" -> destinationRule(manifest, findings);
            case "Gateway" -> gateway(manifest, findings);
            case "EnvoyFilter" -> envoyFilter(manifest, findings);
            default -> {
            }
        }
        return findings;
    }

    private static void virtualService(Manifest vs, List<Finding> findings) {
        JsonNode spec = vs.spec();
        List<String> hosts = new ArrayList<>();
        spec.path("hosts").forEach(h -> hosts.add(h.asText()));
        boolean toMesh = spec.path("gateways").size() == 0 || hasText(spec.path("gateways"), "mesh");
        // Duplicates as Istio's webhook finds them: names that match, wildcards included (*.foo.com & a.foo.com).
        for (int i = 0; i < hosts.size(); i++) {
            if (toMesh && hosts.get(i).equals("*")) {
                findings.add(Finding.error("WEBHOOK", vs, "spec.hosts[" + i + "]: wildcard host * is not allowed for virtual services bound to the mesh gateway"));
            }
            for (int j = i + 1; j < hosts.size(); j++) {
                if (HostNames.match(hosts.get(i), hosts.get(j))) {
                    findings.add(Finding.error("WEBHOOK", vs, "spec.hosts: duplicate hosts in virtual service: " + hosts.get(i) + " & " + hosts.get(j)));
                }
            }
        }
        boolean delegate = hosts.isEmpty();
        if (delegate) {
            // No hosts: a delegate, which a root VirtualService's rule hands its requests to (valid as such).
            if (spec.path("gateways").size() > 0) {
                findings.add(Finding.error("WEBHOOK", vs, "spec.gateways: delegate virtual service must have no gateways specified"));
            }
            if (spec.path("tls").size() > 0) {
                findings.add(Finding.error("WEBHOOK", vs, "spec.tls: delegate virtual service must have no tls route specified"));
            }
            if (spec.path("tcp").size() > 0) {
                findings.add(Finding.error("WEBHOOK", vs, "spec.tcp: delegate virtual service must have no tcp route specified"));
            }
        }
        if (spec.path("http").size() == 0 && spec.path("tcp").size() == 0 && spec.path("tls").size() == 0) {
            findings.add(Finding.error("WEBHOOK", vs, "spec: http, tcp or tls must be provided in virtual service"));
        }
        UnreachableRules.check(vs, findings);
        JsonNode http = spec.path("http");
        for (int i = 0; i < http.size(); i++) {
            String at = "spec.http[" + i + "]";
            JsonNode rule = http.get(i);
            routeConflicts(vs, rule, at, delegate, findings);
            percentage(vs, rule.path("mirrorPercentage"), at + ".mirrorPercentage", findings);
            JsonNode route = rule.path("route");
            for (int r = 0; r < route.size(); r++) {
                int weight = route.get(r).path("weight").asInt(0);
                if (weight < 0) {
                    findings.add(Finding.error("WEBHOOK", vs, at + ".route[" + r + "].weight: weight " + weight + " < 0"));
                }
            }
            if (route.size() > 1) {
                boolean allZero = true;
                for (JsonNode destination : route) {
                    allZero &= destination.path("weight").asInt(0) == 0;
                }
                if (allZero) {
                    findings.add(Finding.error("WEBHOOK", vs, at + ".route: with several destinations, not every weight may be 0"));
                }
            }
            JsonNode fault = rule.path("fault");
            if (!fault.isMissingNode()) {
                if (!fault.has("abort") && !fault.has("delay")) {
                    findings.add(Finding.error("WEBHOOK", vs, at + ".fault: needs abort and/or delay"));
                }
                percentage(vs, fault.path("abort").path("percentage"), at + ".fault.abort.percentage", findings);
                percentage(vs, fault.path("delay").path("percentage"), at + ".fault.delay.percentage", findings);
            }
            JsonNode match = rule.path("match");
            for (int m = 0; m < match.size(); m++) {
                String matchAt = at + ".match[" + m + "]";
                regex(vs, match.get(m).path("uri").path("regex"), matchAt + ".uri.regex", findings);
                match.get(m).path("headers").fields().forEachRemaining(
                        header -> regex(vs, header.getValue().path("regex"), matchAt + ".headers." + header.getKey() + ".regex", findings));
            }
        }
    }

    /**
     * Istio's validateHTTPRouteConflict: a root rule (one with {@code delegate}) hands over and
     * has no route or redirect of its own; otherwise a rule has exactly one of redirect,
     * directResponse or a non-empty route, with what each excludes; mirror and mirrors not both.
     */
    private static void routeConflicts(Manifest vs, JsonNode rule, String at, boolean inDelegate, List<Finding> findings) {
        String name = rule.path("name").asText("");
        if (!inDelegate && rule.has("delegate")) {
            if (rule.has("redirect")) {
                findings.add(Finding.error("WEBHOOK", vs, at + ": root HTTP route " + name + " must not specify redirect"));
            }
            if (rule.has("route")) {
                findings.add(Finding.error("WEBHOOK", vs, at + ": root HTTP route " + name + " must not specify route"));
            }
            return;
        }
        if (inDelegate && rule.has("delegate")) {
            findings.add(Finding.error("WEBHOOK", vs, at + ": delegate HTTP route cannot contain delegate"));
        }
        boolean routes = rule.path("route").size() > 0;
        if (rule.has("redirect")) {
            conflict(vs, rule, at, routes, "HTTP route cannot contain both route and redirect", findings);
            conflict(vs, rule, at, rule.has("fault"), "HTTP route cannot contain both fault and redirect", findings);
            conflict(vs, rule, at, rule.has("rewrite"), "HTTP route rule cannot contain both rewrite and redirect", findings);
            conflict(vs, rule, at, rule.has("directResponse"), "HTTP route rule cannot contain both direct_response and redirect", findings);
        } else if (rule.has("directResponse")) {
            conflict(vs, rule, at, routes, "HTTP route cannot contain both route and direct_response", findings);
            conflict(vs, rule, at, rule.has("fault"), "HTTP route cannot contain both fault and direct_response", findings);
            conflict(vs, rule, at, rule.has("rewrite"), "HTTP route rule cannot contain both rewrite and direct_response", findings);
        } else if (!routes) {
            findings.add(Finding.error("WEBHOOK", vs, at + ": HTTP route, redirect or direct_response is required"));
        }
        conflict(vs, rule, at, rule.has("mirror") && rule.path("mirrors").size() > 0, "HTTP route cannot contain both mirror and mirrors", findings);
    }

    private static void conflict(Manifest vs, JsonNode rule, String at, boolean when, String message, List<Finding> findings) {
        if (when) {
            findings.add(Finding.error("WEBHOOK", vs, at + ": " + message));
        }
    }

    private static boolean hasText(JsonNode array, String text) {
        for (JsonNode item : array) {
            if (item.asText().equals(text)) {
                return true;
            }
        }
        return false;
    }

    private static void percentage(Manifest manifest, JsonNode percentage, String at, List<Finding> findings) {
        if (percentage.has("value")) {
            double value = percentage.path("value").asDouble();
            if (value < 0 || value > 100) {
                findings.add(Finding.error("WEBHOOK", manifest, at + ".value must be between 0 and 100, got " + value));
            }
        }
    }

    private static void regex(Manifest manifest, JsonNode regex, String at, List<Finding> findings) {
        if (!regex.isTextual()) {
            return;
        }
        String text = regex.asText();
        if (text.length() > MAX_REGEX) {
            findings.add(Finding.error("WEBHOOK", manifest, at + ": longer than " + MAX_REGEX + " characters"));
        } else if (NOT_RE2.matcher(text).find()) {
            findings.add(Finding.error("WEBHOOK", manifest, at + ": '" + text + "' uses look-around or a back-reference, which RE2 does not support"));
        } else {
            try {
                Pattern.compile(text);
            } catch (PatternSyntaxException e) {
                findings.add(Finding.error("WEBHOOK", manifest, at + ": '" + text + "' is not a valid regular expression: " + e.getDescription()));
            }
        }
    }

    private static void destinationRule(Manifest dr, List<Finding> findings) {
        Set<String> names = new HashSet<>();
        for (JsonNode subset : dr.spec().path("subsets")) {
            if (!names.add(subset.path("name").asText())) {
                findings.add(Finding.error("WEBHOOK", dr, "duplicate subset name " + subset.path("name").asText()));
            }
        }
        List<JsonNode> policies = new ArrayList<>();
        policies.add(dr.spec().path("trafficPolicy"));
        dr.spec().path("subsets").forEach(s -> policies.add(s.path("trafficPolicy")));
        for (JsonNode policy : policies) {
            JsonNode outlier = policy.path("outlierDetection");
            if (outlier.has("maxEjectionPercent")) {
                int max = outlier.path("maxEjectionPercent").asInt();
                if (max < 0 || max > 100) {
                    findings.add(Finding.error("WEBHOOK", dr, "outlierDetection.maxEjectionPercent must be between 0 and 100, got " + max));
                }
            }
            JsonNode locality = policy.path("loadBalancer").path("localityLbSetting");
            if (locality.path("distribute").size() > 0 && locality.path("failover").size() > 0) {
                findings.add(Finding.error("WEBHOOK", dr, "localityLbSetting: distribute and failover cannot both be set"));
            }
            for (JsonNode distribute : locality.path("distribute")) {
                int total = 0;
                for (JsonNode weight : distribute.path("to")) {
                    total += weight.asInt();
                }
                if (total != 100) {
                    findings.add(Finding.error("WEBHOOK", dr, "localityLbSetting.distribute from " + distribute.path("from").asText()
                            + ": weights must total 100, got " + total));
                }
            }
        }
    }

    private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern WILDCARD_DOMAIN = Pattern.compile("\\*|(\\*\\.)?[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*");
    /** Protocols Istio parses (protocol.Parse), upper-cased; TLS ones and HTTP ones among them. */
    private static final Set<String> PROTOCOLS = Set.of("HTTP", "HTTP2", "HTTPS", "HTTP_PROXY", "GRPC", "GRPC-WEB", "TCP", "TLS", "UDP",
            "MONGO", "REDIS", "MYSQL");
    private static final Set<String> TLS_PROTOCOLS = Set.of("HTTPS", "TLS");
    private static final Set<String> HTTP_PROTOCOLS = Set.of("HTTP", "HTTP2", "HTTP_PROXY", "GRPC", "GRPC-WEB");

    /** Istio's ValidateGateway: a DNS-label name, servers with hosts in ns/host form, valid ports, TLS where the protocol needs it. */
    private static void gateway(Manifest gw, List<Finding> findings) {
        if (!DNS1123_LABEL.matcher(gw.name()).matches()) {
            findings.add(Finding.error("WEBHOOK", gw, "metadata.name: invalid gateway name: \"" + gw.name() + "\" (a DNS-1123 label, no dots)"));
        }
        JsonNode servers = gw.spec().path("servers");
        if (servers.size() == 0) {
            findings.add(Finding.error("WEBHOOK", gw, "spec.servers: gateway must have at least one server"));
        }
        Set<String> portNames = new HashSet<>();
        for (int i = 0; i < servers.size(); i++) {
            String at = "spec.servers[" + i + "]";
            JsonNode server = servers.get(i);
            JsonNode hosts = server.path("hosts");
            if (hosts.size() == 0) {
                findings.add(Finding.error("WEBHOOK", gw, at + ".hosts: server config must contain at least one host"));
            }
            for (JsonNode host : hosts) {
                String problem = namespaceSlashHost(host.asText());
                if (problem != null) {
                    findings.add(Finding.error("WEBHOOK", gw, at + ".hosts: " + problem));
                }
            }
            JsonNode port = server.path("port");
            String protocol = port.path("protocol").asText("").toUpperCase(java.util.Locale.ROOT);
            if (!PROTOCOLS.contains(protocol)) {
                findings.add(Finding.error("WEBHOOK", gw, at + ".port.protocol: invalid protocol \"" + port.path("protocol").asText("")
                        + "\", supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP"));
            }
            long number = port.path("number").asLong(0);
            if (number < 1 || number > 65535) {
                findings.add(Finding.error("WEBHOOK", gw, at + ".port.number: port number " + number + " must be in the range 1..65535"));
            }
            if (port.path("targetPort").asLong(0) > 0) {
                findings.add(Finding.error("WEBHOOK", gw, at + ".port.targetPort: targetPort has no impact on Gateways"));
            }
            if (!portNames.add(port.path("name").asText(""))) {
                findings.add(Finding.error("WEBHOOK", gw, at + ".port.name: port names in servers must be unique: duplicate name "
                        + port.path("name").asText("")));
            }
            JsonNode tls = server.path("tls");
            if (TLS_PROTOCOLS.contains(protocol) && tls.isMissingNode()) {
                findings.add(Finding.error("WEBHOOK", gw, at + ": server must have TLS settings for HTTPS/TLS protocols"));
            } else if (PROTOCOLS.contains(protocol) && !TLS_PROTOCOLS.contains(protocol) && !tls.isMissingNode()) {
                boolean redirectOnly = tls.size() == 1 && tls.has("httpsRedirect");
                if (!HTTP_PROTOCOLS.contains(protocol)) {
                    findings.add(Finding.error("WEBHOOK", gw, at + ".tls: server cannot have TLS settings for non HTTPS/TLS ports"));
                } else if (!redirectOnly) {
                    findings.add(Finding.error("WEBHOOK", gw, at + ".tls: server cannot have TLS settings for plain text HTTP ports"));
                }
            }
            if (!HTTP_PROTOCOLS.contains(protocol) && tls.path("httpsRedirect").asBoolean(false)) {
                findings.add(Finding.warning("WEBHOOK", gw, at + ".tls.httpsRedirect: tls.httpsRedirect should only be used with http servers"));
            }
        }
    }

    /** A server host: {@code [namespace/]host}, the namespace {@code *}, {@code .} or a DNS label, the host a (wildcard) domain. */
    private static String namespaceSlashHost(String text) {
        int slash = text.indexOf('/');
        String namespace = slash < 0 ? null : text.substring(0, slash);
        String host = text.substring(slash + 1);
        if (namespace != null && !namespace.equals("*") && !namespace.equals(".") && !DNS1123_LABEL.matcher(namespace).matches()) {
            return "host " + text + ": the namespace must be *, . or a DNS-1123 label";
        }
        if (host.contains("/") || !WILDCARD_DOMAIN.matcher(host).matches()) {
            return "host " + text + ": '" + host + "' is not a domain name, a wildcard domain (*.example.com) or *";
        }
        return null;
    }

    /**
     * Istio's EnvoyFilter webhook (validation/envoyfilter): each configPatch needs applyTo, a patch
     * with an operation and, but for REMOVE, a value; its match must suit what it applies to
     * (listener, route configuration or cluster), and a filter match needs a name.
     */
    private static void envoyFilter(Manifest ef, List<Finding> findings) {
        JsonNode patches = ef.spec().path("configPatches");
        for (int i = 0; i < patches.size(); i++) {
            String at = "spec.configPatches[" + i + "]: Envoy filter: ";
            JsonNode patch = patches.get(i);
            JsonNode match = patch.path("match");
            if (match.path("context").asText("").equals("WAYPOINT")) {
                continue;
            }
            String applyTo = patch.path("applyTo").asText("INVALID");
            String operation = patch.path("patch").path("operation").asText("INVALID");
            String missing = applyTo.equals("INVALID") ? "missing applyTo"
                    : !patch.has("patch") ? "missing patch"
                    : operation.equals("INVALID") ? "missing patch operation"
                    : !operation.equals("REMOVE") && !patch.path("patch").has("value") ? "missing patch value for non-remove operation" : null;
            if (missing != null) {
                findings.add(Finding.error("WEBHOOK", ef, at + missing));
                continue;
            }
            boolean typed = match.has("listener") || match.has("routeConfiguration") || match.has("cluster");
            switch (applyTo) {
                case "LISTENER", "FILTER_CHAIN", "NETWORK_FILTER", "HTTP_FILTER" -> {
                    if (typed && !match.has("listener")) {
                        findings.add(Finding.error("WEBHOOK", ef, at + "applyTo for listener class objects cannot have non listener match"));
                        continue;
                    }
                    JsonNode filter = match.path("listener").path("filterChain").path("filter");
                    if (!filter.isMissingNode()) {
                        if (applyTo.equals("LISTENER") || applyTo.equals("FILTER_CHAIN")) {
                            findings.add(Finding.warning("WEBHOOK", ef, at + "filter match has no effect when used with " + applyTo));
                        }
                        String problem = filter.path("name").asText("").isEmpty() ? "filter match has no name to match on"
                                : !filter.has("subFilter") ? null
                                : !applyTo.equals("HTTP_FILTER") ? "subfilter match can be used with applyTo HTTP_FILTER only"
                                : !Set.of("envoy.filters.network.http_connection_manager", "envoy.http_connection_manager")
                                        .contains(filter.path("name").asText()) ? "subfilter match requires filter match with envoy.filters.network.http_connection_manager"
                                : filter.path("subFilter").path("name").asText("").isEmpty() ? "subfilter match has no name to match on" : null;
                        if (problem != null) {
                            findings.add(Finding.error("WEBHOOK", ef, at + problem));
                        }
                    }
                }
                case "ROUTE_CONFIGURATION", "VIRTUAL_HOST", "HTTP_ROUTE" -> {
                    if (typed && !match.has("routeConfiguration")) {
                        findings.add(Finding.error("WEBHOOK", ef, at + "applyTo for http route class objects cannot have non route configuration match"));
                    }
                }
                case "CLUSTER" -> {
                    if (typed && !match.has("cluster")) {
                        findings.add(Finding.error("WEBHOOK", ef, at + "applyTo for cluster class objects cannot have non cluster match"));
                    }
                }
                default -> {
                }
            }
        }
    }
}
