package io.productapp.mesh.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Istio's webhook rules for a DestinationRule (istio/istio pkg/config/validation,
 * ValidateDestinationRule): unique subset names, and in the traffic policy and each subset's, the
 * outlier detection's maximum ejection percentage and the locality load balancer's settings.
 */
final class DestinationRuleWebhook {

    private DestinationRuleWebhook() {
    }

    static void check(Manifest dr, List<Finding> findings) {
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
