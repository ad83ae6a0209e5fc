package io.productapp.mesh.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The warnings Istio's webhook adds to a VirtualService it accepts, which istioctl analyze
 * reports as IST0130 (a rule no request reaches) and IST0131 (a match no request reaches), as
 * Istio 1.30 decides them (pkg/config/validation, analyzeUnreachable{HTTP,TCP,TLS}Rules):
 * <ul>
 * <li>only a rule without {@code match} catches all: a second one is unreachable, and so is every
 * rule with matches after one ({@code prefix: /} and {@code match: [{}]} are ordinary matches);
 * <li>a match equal to an earlier one, in this rule or another, compared as written (its
 * {@code name} aside, defaults as absent), is ineffective; a rule all of whose matches are is
 * unreachable;
 * <li>HTTP only: a URI prefix match that starts with an earlier, different prefix is ineffective
 * when port, method (absent: {@code exact: GET}), authority and the same header, query-parameter and
 * without-header names equal the earlier's or extend its prefix values; scheme, source labels,
 * gateways and ignoreUriCase are not compared, exact and regex URIs never are.
 * </ul>
 * Rules are named as Istio names them: {@code "name"} when the HTTP rule has one, else
 * {@code #index}; matches likewise.
 */
final class UnreachableRules {

    private UnreachableRules() {
    }

    static void check(Manifest vs, List<Finding> findings) {
        for (String kind : List.of("http", "tcp", "tls")) {
            rules(vs, kind, findings);
        }
    }

    private static void rules(Manifest vs, String kind, List<Finding> findings) {
        JsonNode rules = vs.spec().path(kind);
        Map<JsonNode, Integer> seen = new HashMap<>();
        List<PrefixMatch> prefixes = new ArrayList<>();
        int catchAll = -1;
        for (int i = 0; i < rules.size(); i++) {
            JsonNode rule = rules.get(i);
            if (!rule.isObject()) {
                continue;
            }
            String at = "spec." + kind + "[" + i + "]";
            String name = name(kind, rule, i);
            JsonNode matches = rule.path("match");
            if (matches.size() == 0) {
                if (catchAll >= 0) {
                    unreachable(vs, at, name, "only the last rule can have no matches", findings);
                }
                catchAll = i;
                continue;
            }
            int duplicates = 0;
            for (int m = 0; m < matches.size(); m++) {
                JsonNode match = matches.get(m);
                if (catchAll >= 0) {
                    unreachable(vs, at, name, "route without matches defined before", findings);
                    continue;
                }
                JsonNode key = canonical(match);
                Integer first = seen.get(key);
                if (first != null) {
                    findings.add(Finding.info("IST0131", vs, at + ".match[" + m + "]: VirtualService rule " + name + " match "
                            + name(kind, match, m) + " is not used (duplicate/overlapping match in rule "
                            + name(kind, rules.get(first), first) + ")"));
                    duplicates++;
                    continue;
                }
                seen.put(key, i);
                if (kind.equals("http")) {
                    PrefixMatch prefix = PrefixMatch.of(at + ".match[" + m + "]", name, name(kind, match, m), match);
                    if (prefix != null) {
                        prefixes.add(prefix);
                    }
                }
            }
            if (duplicates == matches.size()) {
                unreachable(vs, at, name, "all matches used by prior rules", findings);
            }
        }
        for (int a = 0; a < prefixes.size(); a++) {
            for (int b = a + 1; b < prefixes.size(); b++) {
                PrefixMatch earlier = prefixes.get(a);
                PrefixMatch later = prefixes.get(b);
                if (!later.prefix.equals(earlier.prefix) && earlier.covers(later)) {
                    findings.add(Finding.info("IST0131", vs, later.at + ": VirtualService rule " + later.rule + " match " + later.match
                            + " of prefix " + later.prefix + " is not used (duplicate/overlapping match in rule " + earlier.match
                            + " of prefix " + earlier.prefix + " on " + earlier.rule + ")"));
                }
            }
        }
    }

    private static void unreachable(Manifest vs, String at, String name, String reason, List<Finding> findings) {
        findings.add(Finding.warning("IST0130", vs, at + ": VirtualService rule " + name + " not used (" + reason + ")"));
    }

    /** A rule or match as Istio names it: {@code "name"} for a named HTTP one, else {@code #index}. */
    private static String name(String kind, JsonNode ruleOrMatch, int index) {
        return kind.equals("http") && !ruleOrMatch.path("name").asText("").isEmpty() ? "\"" + ruleOrMatch.path("name").asText() + "\"" : "#" + index;
    }

    /**
     * A match as Istio compares it (the JSON of its proto): without its name, and without the
     * fields that hold their default (false, 0, "", empty lists and maps), which a proto does not carry.
     */
    static JsonNode canonical(JsonNode match) {
        JsonNode copy = match.deepCopy();
        if (copy instanceof ObjectNode object) {
            object.remove("name");
        }
        return withoutDefaults(copy);
    }

    private static JsonNode withoutDefaults(JsonNode node) {
        if (node instanceof ObjectNode object) {
            List<String> empty = new ArrayList<>();
            object.fields().forEachRemaining(field -> {
                JsonNode value = withoutDefaults(field.getValue());
                object.set(field.getKey(), value);
                if (isDefault(value)) {
                    empty.add(field.getKey());
                }
            });
            object.remove(empty);
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, withoutDefaults(array.get(i)));
            }
        }
        return node;
    }

    private static boolean isDefault(JsonNode value) {
        // (explicit nulls are gone already: ManifestReader drops them as the API server does)
        return (value.isBoolean() && !value.asBoolean()) || (value.isNumber() && value.asDouble() == 0)
                || (value.isTextual() && value.asText().isEmpty()) || (value.isContainerNode() && value.isEmpty());
    }

    /** An HTTP match with a URI prefix, as the overlap pass sees it: conditions as "exact:v", "prefix:v" or "" (regex, absent). */
    private record PrefixMatch(String at, String rule, String match, String prefix, long port, String method, String authority,
            Map<String, String> headers, Map<String, String> queryParams, Map<String, String> withoutHeaders) {

        static PrefixMatch of(String at, String rule, String match, JsonNode m) {
            String prefix = m.path("uri").path("prefix").asText("");
            if (prefix.isEmpty()) {
                return null;
            }
            String method = condition(m.path("method"));
            return new PrefixMatch(at, rule, match, prefix, m.path("port").asLong(0), method.isEmpty() ? "exact:GET" : method,
                    condition(m.path("authority")), conditions(m.path("headers")), conditions(m.path("queryParams")),
                    conditions(m.path("withoutHeaders")));
        }

        private static String condition(JsonNode match) {
            String exact = match.path("exact").asText("");
            String prefix = match.path("prefix").asText("");
            return !exact.isEmpty() ? "exact:" + exact : !prefix.isEmpty() ? "prefix:" + prefix : "";
        }

        private static Map<String, String> conditions(JsonNode map) {
            Map<String, String> conditions = new TreeMap<>();
            map.fields().forEachRemaining(e -> conditions.put(e.getKey(), condition(e.getValue())));
            return conditions;
        }

        /** Istio's coveredValidation: this (earlier) match takes every request {@code later} would. */
        boolean covers(PrefixMatch later) {
            return later.prefix.startsWith(prefix) && port == later.port && extends_(method, later.method)
                    && extends_(authority, later.authority) && covers(headers, later.headers)
                    && covers(queryParams, later.queryParams) && covers(withoutHeaders, later.withoutHeaders);
        }

        private static boolean extends_(String earlier, String later) {
            return earlier.equals(later) || earlier.startsWith(later);
        }

        private static boolean covers(Map<String, String> earlier, Map<String, String> later) {
            if (earlier.size() != later.size()) {
                return false;
            }
            for (Map.Entry<String, String> e : earlier.entrySet()) {
                String other = later.get(e.getKey());
                if (other == null || !extends_(e.getValue(), other)) {
                    return false;
                }
            }
            return true;
        }
    }
}
