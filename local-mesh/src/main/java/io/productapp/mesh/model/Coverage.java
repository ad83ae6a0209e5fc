package io.productapp.mesh.model;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.productapp.mesh.config.Finding;
import io.productapp.mesh.config.Manifest;

/**
 * Which fields of Istio's objects the local mesh applies, which it reads but which change nothing
 * on one machine, and, for every other field a manifest sets, a warning that names it and its
 * file: a field the mesh does not emulate is never silently ignored.
 * <p>
 * Paths are written as in the manifests, with {@code []} for any array index and {@code *} for any
 * key of a map whose keys are the user's (header names, labels).
 */
public final class Coverage {

    /** The warning's code in findings. */
    public static final String CODE = "LOCAL";

    private static final String MATCH = "spec.http[].match[].";
    private static final List<String> STRING_MATCH = List.of("exact", "prefix", "regex");
    private static final List<String> DESTINATION = List.of("host", "subset", "port.number");
    private static final List<String> HEADER_OPERATIONS = List.of("request.set.*", "request.add.*", "request.remove[]",
            "response.set.*", "response.add.*", "response.remove[]");

    /** kind -> field path -> what it does locally. */
    private static final Map<String, Map<String, String>> EMULATED = new LinkedHashMap<>();
    /** kind -> field paths read but without effect on one machine, and why. */
    private static final Map<String, Map<String, String>> INERT = new LinkedHashMap<>();
    /** Map fields whose keys are the user's: the key is written {@code *} in a path. */
    private static final Set<String> USER_KEYED = Set.of(MATCH + "headers", MATCH + "withoutHeaders", MATCH + "queryParams",
            MATCH + "sourceLabels", "set", "add", "spec.subsets[].labels", "to", "spec.workloadSelector.labels", "spec.selector");

    static {
        Map<String, String> vs = new LinkedHashMap<>();
        vs.put("spec.hosts[]", "the hosts whose requests the rules route (short names resolve in the object's namespace)");
        vs.put("spec.gateways[]", "sidecars (mesh, the default) and/or the ingress gateway");
        vs.put("spec.http[].name", "shown in the access log's route name");
        vs.put(MATCH + "name", "shown in the access log's route name");
        for (String field : List.of("uri", "method", "authority", "scheme")) {
            STRING_MATCH.forEach(m -> vs.put(MATCH + field + "." + m, field + " matched exactly, by prefix, or by RE2 regex (whole value)"));
        }
        vs.put(MATCH + "ignoreUriCase", "uri exact/prefix compared without case");
        for (String field : List.of("headers", "withoutHeaders")) {
            STRING_MATCH.forEach(m -> vs.put(MATCH + field + ".*." + m, "header names case-insensitive, values case-sensitive"
                    + (field.equals("withoutHeaders") ? "; inverted" : "")));
            vs.put(MATCH + field + ".*", "{}: the header is present");
        }
        STRING_MATCH.forEach(m -> vs.put(MATCH + "queryParams.*." + m, "the first value of the query parameter"));
        vs.put(MATCH + "port", "the port the request was sent to");
        vs.put(MATCH + "sourceLabels.*", "the rule applies only on sidecars of workloads with these labels");
        vs.put(MATCH + "gateways[]", "the rule applies only on these gateways (mesh: the sidecars)");
        DESTINATION.forEach(d -> vs.put("spec.http[].route[].destination." + d, "the Service, its DestinationRule subset and port"));
        vs.put("spec.http[].route[].weight", "relative weights; zero weights dropped; one destination takes all");
        HEADER_OPERATIONS.forEach(h -> vs.put("spec.http[].route[].headers." + h, "header set/add/remove per destination"));
        HEADER_OPERATIONS.forEach(h -> vs.put("spec.http[].headers." + h, "header set/add/remove"));
        vs.put("spec.http[].rewrite.uri", "the matched prefix (or the whole path for exact/regex) replaced; x-envoy-original-path set");
        vs.put("spec.http[].rewrite.authority", "the Host header replaced");
        for (String field : List.of("uri", "authority", "redirectCode")) {
            vs.put("spec.http[].redirect." + field, "answered by the proxy with a redirect");
        }
        vs.put("spec.http[].directResponse.status", "answered by the proxy");
        vs.put("spec.http[].directResponse.body.string", "answered by the proxy");
        vs.put("spec.http[].timeout", "bounds the whole request, retries included: 504 UT");
        vs.put("spec.http[].retries.attempts", "retries after the first try (0: none)");
        vs.put("spec.http[].retries.perTryTimeout", "bounds each try: 504 UT");
        vs.put("spec.http[].retries.retryOn", "Envoy's conditions (5xx, gateway-error, reset, connect-failure, retriable-4xx, "
                + "retriable-status-codes and plain status codes); without it, Istio's default ones");
        vs.put("spec.http[].retries.retryIgnorePreviousHosts", "false: a retry may go to an endpoint already tried");
        vs.put("spec.http[].retries.retryRemoteLocalities", "read; retries already prefer untried endpoints");
        vs.put("spec.http[].retries.backoff", "the base of Envoy's jittered exponential back-off (25 ms by default)");
        vs.put("spec.http[].fault.delay.fixedDelay", "requests held this long before they are routed: flag DI");
        vs.put("spec.http[].fault.delay.percentage.value", "share of requests delayed (absent: 0 %)");
        vs.put("spec.http[].fault.delay.percent", "deprecated integer share, used when percentage is absent");
        vs.put("spec.http[].fault.abort.httpStatus", "answered with this status, never sent upstream: flag FI");
        vs.put("spec.http[].fault.abort.percentage.value", "share of requests aborted (absent: 0 %)");
        DESTINATION.forEach(d -> vs.put("spec.http[].mirror." + d, "fire-and-forget copy, answer discarded, never retried"));
        vs.put("spec.http[].mirrorPercentage.value", "share of requests copied (absent: 100 %)");
        DESTINATION.forEach(d -> vs.put("spec.http[].mirrors[].destination." + d, "fire-and-forget copy to each"));
        vs.put("spec.http[].mirrors[].percentage.value", "share of requests copied (absent: 100 %)");
        EMULATED.put("VirtualService", vs);

        Map<String, String> dr = new LinkedHashMap<>();
        dr.put("spec.host", "the Service whose endpoints the rule shapes");
        dr.put("spec.subsets[].name", "a subset, named by routes");
        dr.put("spec.subsets[].labels.*", "the endpoints of the subset, by pod label");
        for (String at : List.of("spec.trafficPolicy.", "spec.subsets[].trafficPolicy.")) {
            String where = at.startsWith("spec.subsets") ? " (a subset's policy overrides the rule's, part by part)" : "";
            dr.put(at + "loadBalancer.simple", "LEAST_REQUEST (two random choices), ROUND_ROBIN, RANDOM" + where);
            dr.put(at + "loadBalancer.localityLbSetting.enabled", "false: no locality preference" + where);
            dr.put(at + "loadBalancer.localityLbSetting.distribute[].from", "weights by locality for callers in this locality" + where);
            dr.put(at + "loadBalancer.localityLbSetting.distribute[].to.*", "weights by locality" + where);
            dr.put(at + "loadBalancer.localityLbSetting.failover[].from", "failover region order" + where);
            dr.put(at + "loadBalancer.localityLbSetting.failover[].to", "failover region order" + where);
            dr.put(at + "connectionPool.tcp.maxConnections", "connections at once per caller proxy; beyond them requests wait" + where);
            dr.put(at + "connectionPool.tcp.connectTimeout", "bound on connecting: 503 UF" + where);
            dr.put(at + "connectionPool.http.http1MaxPendingRequests", "requests waiting for a connection; beyond them 503 UO" + where);
            dr.put(at + "connectionPool.http.http2MaxRequests", "requests at once; beyond them 503 UO" + where);
            dr.put(at + "connectionPool.http.maxRequestsPerConnection", "1: a new connection per request" + where);
            dr.put(at + "connectionPool.http.maxRetries", "retries at once; beyond them no retry" + where);
            dr.put(at + "outlierDetection.consecutive5xxErrors", "ejection at the Nth 5xx (or connect failure, or timeout) in a row" + where);
            dr.put(at + "outlierDetection.consecutiveGatewayErrors", "ejection at the Nth 502/503/504 in a row" + where);
            dr.put(at + "outlierDetection.interval", "the sweep that returns ejected endpoints" + where);
            dr.put(at + "outlierDetection.baseEjectionTime", "ejection time x times ejected (at most 300 s)" + where);
            dr.put(at + "outlierDetection.maxEjectionPercent", "share of endpoints that may be ejected at once" + where);
            dr.put(at + "outlierDetection.minHealthPercent", "below it, load balancing ignores ejections (panic)" + where);
        }
        EMULATED.put("DestinationRule", dr);

        Map<String, String> ef = new LinkedHashMap<>();
        ef.put("spec.workloadSelector.labels.*", "the workloads whose proxies run the filter");
        ef.put("spec.priority", "order among EnvoyFilters");
        ef.put("spec.configPatches[]", "HTTP_FILTER patches inserting envoy.filters.http.lua: envoy_on_request run by LuaJ "
                + "in the context given (SIDECAR_OUTBOUND, SIDECAR_INBOUND, GATEWAY, ANY); every other patch is warned about");
        EMULATED.put("EnvoyFilter", ef);

        Map<String, String> gw = new LinkedHashMap<>();
        gw.put("spec.selector.*", "the ingress gateway's labels (istio: ingressgateway)");
        gw.put("spec.servers[].port.number", "served on the ingress port");
        gw.put("spec.servers[].port.protocol", "HTTP only");
        gw.put("spec.servers[].hosts[]", "the hosts whose VirtualServices the gateway applies");
        EMULATED.put("Gateway", gw);

        INERT.put("VirtualService", Map.of("spec.exportTo[]", "one namespace: every object is visible to every workload"));
        INERT.put("DestinationRule", Map.of("spec.exportTo[]", "one namespace: every object is visible to every workload"));
        INERT.put("Gateway", Map.of("spec.servers[].port.name", "a name only", "spec.servers[].name", "a name only"));
        INERT.put("EnvoyFilter", Map.of());
    }

    private Coverage() {
    }

    /** Istio field paths the local mesh applies, by kind, with what each does there. */
    public static Map<String, Map<String, String>> emulated() {
        return EMULATED;
    }

    /** Istio field paths the local mesh reads but which have no effect on one machine, by kind. */
    public static Map<String, Map<String, String>> inert() {
        return INERT;
    }

    /**
     * One warning per field of {@code manifest} that the local mesh does not emulate; one for the
     * whole object when it is an Istio kind the mesh does not emulate at all (ServiceEntry,
     * Sidecar, AuthorizationPolicy, ...). Kubernetes objects (the chart's) get none.
     */
    public static List<Finding> warnings(Manifest manifest) {
        Map<String, String> emulated = EMULATED.get(manifest.kind());
        if (emulated == null) {
            if (manifest.group().endsWith(".istio.io")) {
                return List.of(Finding.warning(CODE, manifest, manifest.kind() + " is not emulated by the local mesh: it has no effect here"));
            }
            return List.of();
        }
        Map<String, String> inert = INERT.getOrDefault(manifest.kind(), Map.of());
        List<Finding> warnings = new ArrayList<>();
        walk(manifest, manifest.spec(), "spec", "spec", emulated, inert, warnings);
        return warnings;
    }

    private static void walk(Manifest manifest, JsonNode value, String path, String pattern, Map<String, String> emulated,
            Map<String, String> inert, List<Finding> warnings) {
        if (manifest.kind().equals("EnvoyFilter") && pattern.equals("spec.configPatches[]")) {
            if (ModelReader.luaSource(value) == null) {
                warnings.add(warning(manifest, path, "applyTo " + value.path("applyTo").asText("?") + ", operation "
                        + value.path("patch").path("operation").asText("?") + ": only Lua HTTP filters inserted into the "
                        + "filter chain are run"));
            }
            return;
        }
        boolean userKeyed = USER_KEYED.contains(pattern) || USER_KEYED.contains(pattern.substring(pattern.lastIndexOf('.') + 1));
        if (value.isObject() && value.size() > 0) {
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                walk(manifest, field.getValue(), path + "." + field.getKey(), pattern + "." + (userKeyed ? "*" : field.getKey()),
                        emulated, inert, warnings);
            }
        } else if (value.isArray() && value.size() > 0 && value.get(0).isContainerNode()) {
            for (int i = 0; i < value.size(); i++) {
                walk(manifest, value.get(i), path + "[" + i + "]", pattern + "[]", emulated, inert, warnings);
            }
        } else {
            String leaf = value.isArray() ? pattern + "[]" : pattern;
            if (!emulated.containsKey(leaf) && !inert.containsKey(leaf)) {
                warnings.add(warning(manifest, path, "has no effect here"));
            }
        }
    }

    private static Finding warning(Manifest manifest, String path, String why) {
        return Finding.warning(CODE, manifest, path + " is not emulated by the local mesh: " + why);
    }
}
