package io.productapp.mesh.config;

import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Istio's EnvoyFilter webhook (istio/istio pkg/config/validation/envoyfilter, ValidateEnvoyFilter):
 * each configPatch needs applyTo, a patch with an operation and, but for REMOVE, a value; its
 * match must suit what it applies to (listener, route configuration or cluster), and a filter
 * match needs a name.
 */
final class EnvoyFilterWebhook {

    private EnvoyFilterWebhook() {
    }

    static void check(Manifest ef, List<Finding> findings) {
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
