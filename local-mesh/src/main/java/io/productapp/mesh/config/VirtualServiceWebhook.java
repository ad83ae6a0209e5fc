package io.productapp.mesh.config;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Istio's webhook rules for a VirtualService (istio/istio pkg/config/validation,
 * ValidateVirtualService and virtualservice.go's validateHTTPRoute): hosts, delegates, gateway
 * names, route conflicts, weights, faults, percentages and regexes; the rules no request reaches are
 * {@link UnreachableRules}'.
 */
final class VirtualServiceWebhook {

    private VirtualServiceWebhook() {
    }

    static void check(Manifest vs, List<Finding> findings) {
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
        gatewayNames(vs, findings);
        UnreachableRules.check(vs, findings);
        JsonNode http = spec.path("http");
        for (int i = 0; i < http.size(); i++) {
            String at = "spec.http[" + i + "]";
            JsonNode rule = http.get(i);
            routeConflicts(vs, rule, at, delegate, findings);
            WebhookFields.percentage(vs, rule.path("mirrorPercentage"), at + ".mirrorPercentage", findings);
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
                WebhookFields.percentage(vs, fault.path("abort").path("percentage"), at + ".fault.abort.percentage", findings);
                WebhookFields.percentage(vs, fault.path("delay").path("percentage"), at + ".fault.delay.percentage", findings);
            }
            JsonNode match = rule.path("match");
            for (int m = 0; m < match.size(); m++) {
                String matchAt = at + ".match[" + m + "]";
                WebhookFields.regex(vs, match.get(m).path("uri").path("regex"), matchAt + ".uri.regex", findings);
                match.get(m).path("headers").fields().forEachRemaining(
                        header -> WebhookFields.regex(vs, header.getValue().path("regex"), matchAt + ".headers." + header.getKey() + ".regex", findings));
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

    /** The gateways the VirtualService binds to, and those each rule's matches (http, tcp, tls) name. */
    private static void gatewayNames(Manifest vs, List<Finding> findings) {
        WebhookFields.gatewayNames(vs, vs.spec().path("gateways"), "spec.gateways", findings);
        for (String kind : List.of("http", "tcp", "tls")) {
            JsonNode rules = vs.spec().path(kind);
            for (int i = 0; i < rules.size(); i++) {
                JsonNode match = rules.get(i).path("match");
                for (int m = 0; m < match.size(); m++) {
                    WebhookFields.gatewayNames(vs, match.get(m).path("gateways"), "spec." + kind + "[" + i + "].match[" + m + "].gateways", findings);
                }
            }
        }
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
}
