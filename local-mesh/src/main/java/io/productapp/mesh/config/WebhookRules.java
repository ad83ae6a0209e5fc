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
            default -> {
            }
        }
        return findings;
    }

    private static void virtualService(Manifest vs, List<Finding> findings) {
        JsonNode spec = vs.spec();
        Set<String> hosts = new HashSet<>();
        for (JsonNode host : spec.path("hosts")) {
            if (!hosts.add(host.asText())) {
                findings.add(Finding.error("WEBHOOK", vs, "duplicate host " + host.asText()));
            }
        }
        if (hosts.isEmpty()) {
            // No hosts: a delegate, which a root VirtualService's rule hands its requests to (valid as such).
            if (spec.path("gateways").size() > 0) {
                findings.add(Finding.error("WEBHOOK", vs, "spec.gateways: a delegate VirtualService (no hosts) must have no gateways"));
            }
            if (spec.path("tcp").size() > 0 || spec.path("tls").size() > 0) {
                findings.add(Finding.error("WEBHOOK", vs, "spec: a delegate VirtualService (no hosts) has http rules only, no tcp or tls"));
            }
        }
        if (spec.path("http").size() == 0 && spec.path("tcp").size() == 0 && spec.path("tls").size() == 0) {
            findings.add(Finding.error("WEBHOOK", vs, "spec: http, tcp or tls must be provided"));
        }
        UnreachableRules.check(vs, findings);
        JsonNode http = spec.path("http");
        for (int i = 0; i < http.size(); i++) {
            String at = "spec.http[" + i + "]";
            JsonNode rule = http.get(i);
            if (!rule.has("route") && !rule.has("redirect") && !rule.has("directResponse")) {
                findings.add(Finding.error("WEBHOOK", vs, at + ": a rule needs route, redirect or directResponse"));
            }
            if (rule.has("rewrite") && rule.has("redirect")) {
                findings.add(Finding.error("WEBHOOK", vs, at + ": rewrite and redirect cannot both be set"));
            }
            if (rule.has("mirror") && rule.has("mirrors")) {
                findings.add(Finding.error("WEBHOOK", vs, at + ": mirror and mirrors cannot both be set"));
            }
            percentage(vs, rule.path("mirrorPercentage"), at + ".mirrorPercentage", findings);
            JsonNode route = rule.path("route");
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
}
