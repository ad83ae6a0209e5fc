package io.productapp.mesh.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.databind.JsonNode;

import io.productapp.mesh.config.CrdSchemas;
import io.productapp.mesh.config.Manifest;
import io.productapp.mesh.model.DestinationRule.ConnectionPool;
import io.productapp.mesh.model.DestinationRule.Distribute;
import io.productapp.mesh.model.DestinationRule.Failover;
import io.productapp.mesh.model.DestinationRule.LoadBalancer;
import io.productapp.mesh.model.DestinationRule.LocalityLbSetting;
import io.productapp.mesh.model.DestinationRule.OutlierDetection;
import io.productapp.mesh.model.DestinationRule.Simple;
import io.productapp.mesh.model.DestinationRule.Subset;
import io.productapp.mesh.model.DestinationRule.TrafficPolicy;
import io.productapp.mesh.model.EnvoyFilter.Context;
import io.productapp.mesh.model.EnvoyFilter.Patch;
import io.productapp.mesh.model.VirtualService.Abort;
import io.productapp.mesh.model.VirtualService.Delay;
import io.productapp.mesh.model.VirtualService.DirectResponse;
import io.productapp.mesh.model.VirtualService.Fault;
import io.productapp.mesh.model.VirtualService.HeaderOperations;
import io.productapp.mesh.model.VirtualService.HttpMatch;
import io.productapp.mesh.model.VirtualService.HttpRoute;
import io.productapp.mesh.model.VirtualService.Mirror;
import io.productapp.mesh.model.VirtualService.Operations;
import io.productapp.mesh.model.VirtualService.Redirect;
import io.productapp.mesh.model.VirtualService.Retries;
import io.productapp.mesh.model.VirtualService.Rewrite;
import io.productapp.mesh.model.VirtualService.RouteDestination;

/**
 * Reads manifests (already checked against the schemas and, but for those {@code ./demo check}
 * analyses as istioctl does, the webhook rules) into the typed model.
 * Absent fields become null or Istio's and Envoy's defaults, as the data plane would see them.
 */
final class ModelReader {

    static final String LUA_FILTER = "envoy.filters.http.lua";
    /** A pattern no value matches. */
    private static final Pattern NO_MATCH = Pattern.compile("(?!)");

    private final String defaultNamespace;

    ModelReader(String defaultNamespace) {
        this.defaultNamespace = defaultNamespace;
    }

    Origin origin(Manifest manifest) {
        String namespace = manifest.body().path("metadata").path("namespace").asText("");
        return new Origin(manifest.kind(), manifest.name(), namespace.isEmpty() ? defaultNamespace : namespace, manifest.file());
    }

    // ---- Kubernetes --------------------------------------------------------------------------

    KubeService service(Manifest manifest) {
        List<KubeService.Port> ports = new ArrayList<>();
        for (JsonNode port : manifest.spec().path("ports")) {
            ports.add(new KubeService.Port(port.path("name").asText(""), port.path("port").asInt(),
                    port.path("targetPort").asText(port.path("port").asText()), text(port, "appProtocol"),
                    port.path("protocol").asText("TCP")));
        }
        return new KubeService(origin(manifest), labels(manifest.spec().path("selector")), ports,
                labels(manifest.body().path("metadata").path("labels")), manifest.spec().path("type").asText("").equals("ExternalName"),
                java.util.Arrays.stream(manifest.body().path("metadata").path("annotations").path("networking.istio.io/exportTo").asText("")
                        .split(",")).map(String::strip).filter(e -> !e.isEmpty()).toList());
    }

    Workload deployment(Manifest manifest) {
        JsonNode strategy = manifest.spec().path("strategy");
        JsonNode rolling = strategy.path("rollingUpdate");
        return workload(manifest, manifest.spec().path("template"), manifest.spec().path("replicas").asInt(1),
                new Workload.Strategy(strategy.path("type").asText("RollingUpdate"), rolling.path("maxSurge").asText("25%"),
                        rolling.path("maxUnavailable").asText("25%"), manifest.spec().path("minReadySeconds").asInt(0)));
    }

    /** A bare Pod: a workload of one, its own labels and containers. */
    Workload pod(Manifest manifest) {
        return workload(manifest, manifest.body(), 1, Workload.Strategy.DEFAULT);
    }

    private static Workload.Probe probe(JsonNode probe) {
        if (probe.isMissingNode() || probe.isNull()) {
            return null;
        }
        JsonNode http = probe.path("httpGet");
        JsonNode target = http.isObject() ? http : probe.path("tcpSocket");
        return new Workload.Probe(http.isObject() ? http.path("path").asText("/") : null, target.path("port").asText(""),
                probe.path("initialDelaySeconds").asInt(0), probe.path("periodSeconds").asInt(10), probe.path("timeoutSeconds").asInt(1),
                probe.path("successThreshold").asInt(1), probe.path("failureThreshold").asInt(3));
    }

    private Workload workload(Manifest manifest, JsonNode pod, int replicas, Workload.Strategy strategy) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        List<Workload.EnvVar> env = new ArrayList<>();
        JsonNode first = pod.path("spec").path("containers").path(0);
        for (JsonNode container : pod.path("spec").path("containers")) {
            for (JsonNode port : container.path("ports")) {
                ports.put(port.path("name").asText(String.valueOf(port.path("containerPort").asInt())), port.path("containerPort").asInt());
            }
            for (JsonNode variable : container.path("env")) {
                if (variable.has("value")) {
                    env.add(new Workload.EnvVar(variable.path("name").asText(), variable.path("value").asText()));
                }
            }
        }
        Workload.PodSpec spec = new Workload.PodSpec(probe(first.path("startupProbe")), probe(first.path("livenessProbe")),
                probe(first.path("readinessProbe")), pod.path("spec").path("restartPolicy").asText("Always"),
                pod.path("spec").path("terminationGracePeriodSeconds").asInt(30));
        return new Workload(origin(manifest), replicas, labels(pod.path("metadata").path("labels")), text(first, "image"), ports, env,
                spec, strategy);
    }

    ServiceEntry serviceEntry(Manifest manifest) {
        List<Integer> ports = new ArrayList<>();
        manifest.spec().path("ports").forEach(p -> ports.add(p.path("number").asInt()));
        return new ServiceEntry(origin(manifest), strings(manifest.spec().path("hosts")), ports, strings(manifest.spec().path("exportTo")));
    }

    // ---- VirtualService ------------------------------------------------------------------------

    VirtualService virtualService(Manifest manifest) {
        JsonNode spec = manifest.spec();
        List<HttpRoute> http = new ArrayList<>();
        JsonNode rules = spec.path("http");
        for (int i = 0; i < rules.size(); i++) {
            http.add(httpRoute(rules.get(i), i));
        }
        List<VirtualService.L4Destination> l4 = new ArrayList<>();
        for (String kind : List.of("tcp", "tls")) {
            JsonNode l4Rules = spec.path(kind);
            for (int i = 0; i < l4Rules.size(); i++) {
                for (JsonNode destination : l4Rules.get(i).path("route")) {
                    l4.add(new VirtualService.L4Destination("spec." + kind + "[" + i + "].route", destination(destination.path("destination"))));
                }
            }
        }
        return new VirtualService(origin(manifest), strings(spec.path("hosts")), strings(spec.path("gateways")), http,
                strings(spec.path("exportTo")), l4);
    }

    private HttpRoute httpRoute(JsonNode rule, int index) {
        List<HttpMatch> matches = new ArrayList<>();
        for (JsonNode match : rule.path("match")) {
            matches.add(new HttpMatch(text(match, "name"), stringMatch(match.path("uri")), match.path("ignoreUriCase").asBoolean(false),
                    stringMatch(match.path("method")), stringMatch(match.path("authority")), stringMatch(match.path("scheme")),
                    stringMatches(match.path("headers")), stringMatches(match.path("withoutHeaders")),
                    stringMatches(match.path("queryParams")), match.has("port") ? match.path("port").asInt() : null,
                    labels(match.path("sourceLabels")), strings(match.path("gateways"))));
        }
        List<RouteDestination> route = new ArrayList<>();
        for (JsonNode destination : rule.path("route")) {
            route.add(new RouteDestination(destination(destination.path("destination")),
                    destination.has("weight") ? destination.path("weight").asInt() : null, headerOperations(destination.path("headers"))));
        }
        JsonNode rewrite = rule.path("rewrite");
        JsonNode redirect = rule.path("redirect");
        JsonNode direct = rule.path("directResponse");
        List<Mirror> mirrors = new ArrayList<>();
        if (rule.has("mirror")) {
            mirrors.add(new Mirror(destination(rule.path("mirror")), percent(rule.path("mirrorPercentage"), 100)));
        }
        for (JsonNode mirror : rule.path("mirrors")) {
            mirrors.add(new Mirror(destination(mirror.path("destination")), percent(mirror.path("percentage"), 100)));
        }
        return new HttpRoute(text(rule, "name"), index, matches, route,
                rewrite.isMissingNode() ? null : new Rewrite(text(rewrite, "uri"), text(rewrite, "authority")),
                redirect.isMissingNode() ? null : new Redirect(text(redirect, "uri"), text(redirect, "authority"),
                        redirect.path("redirectCode").asInt(301)),
                direct.isMissingNode() ? null : new DirectResponse(direct.path("status").asInt(),
                        direct.path("body").path("string").asText(null)),
                duration(rule.path("timeout")), retries(rule.path("retries")), fault(rule.path("fault")), mirrors,
                headerOperations(rule.path("headers")));
    }

    private static Retries retries(JsonNode retries) {
        if (retries.isMissingNode() || retries.isNull()) {
            return null;
        }
        return new Retries(retries.path("attempts").asInt(0), duration(retries.path("perTryTimeout")), text(retries, "retryOn"),
                retries.has("retryIgnorePreviousHosts") ? retries.path("retryIgnorePreviousHosts").asBoolean() : null,
                retries.has("retryRemoteLocalities") ? retries.path("retryRemoteLocalities").asBoolean() : null,
                duration(retries.path("backoff")));
    }

    private static Fault fault(JsonNode fault) {
        if (fault.isMissingNode()) {
            return null;
        }
        JsonNode delay = fault.path("delay");
        JsonNode abort = fault.path("abort");
        // An omitted percentage is 0 %; the deprecated integer delay "percent" stands in when given.
        return new Fault(
                delay.isMissingNode() ? null : new Delay(duration(delay.path("fixedDelay")),
                        percent(delay.path("percentage"), delay.path("percent").asDouble(0))),
                abort.isMissingNode() || !abort.has("httpStatus") ? null
                        : new Abort(abort.path("httpStatus").asInt(), percent(abort.path("percentage"), 0)));
    }

    private static HeaderOperations headerOperations(JsonNode headers) {
        if (headers.isMissingNode()) {
            return HeaderOperations.NONE;
        }
        return new HeaderOperations(operations(headers.path("request")), operations(headers.path("response")));
    }

    private static Operations operations(JsonNode operations) {
        if (operations.isMissingNode()) {
            return Operations.NONE;
        }
        return new Operations(labels(operations.path("set")), labels(operations.path("add")), strings(operations.path("remove")));
    }

    static Destination destination(JsonNode destination) {
        return new Destination(destination.path("host").asText(), text(destination, "subset"),
                destination.path("port").has("number") ? destination.path("port").path("number").asInt() : null);
    }

    private static double percent(JsonNode percentage, double absent) {
        return percentage.has("value") ? percentage.path("value").asDouble() : absent;
    }

    private static StringMatch stringMatch(JsonNode match) {
        if (match.isMissingNode() || match.isNull()) {
            return null;
        }
        if (match.has("exact")) {
            return new StringMatch.Exact(match.path("exact").asText());
        }
        if (match.has("prefix")) {
            return new StringMatch.Prefix(match.path("prefix").asText());
        }
        if (match.has("regex")) {
            String regex = match.path("regex").asText();
            return regex.equals("*") ? new StringMatch.Present() : regex(regex);
        }
        return new StringMatch.Present();
    }

    /**
     * A regex match; one that does not compile matches nothing. Only an object the webhook refuses
     * has one, and only {@code ./demo check} reads such an object into the model (to analyse it).
     */
    private static StringMatch regex(String regex) {
        try {
            return new StringMatch.Regex(regex);
        } catch (PatternSyntaxException e) {
            return new StringMatch.Regex(regex, NO_MATCH);
        }
    }

    private static Map<String, StringMatch> stringMatches(JsonNode matches) {
        Map<String, StringMatch> map = new LinkedHashMap<>();
        matches.fields().forEachRemaining(e -> map.put(e.getKey().toLowerCase(java.util.Locale.ROOT), stringMatch(e.getValue())));
        return map;
    }

    // ---- DestinationRule ----------------------------------------------------------------------

    DestinationRule destinationRule(Manifest manifest) {
        JsonNode spec = manifest.spec();
        List<Subset> subsets = new ArrayList<>();
        for (JsonNode subset : spec.path("subsets")) {
            subsets.add(new Subset(subset.path("name").asText(), labels(subset.path("labels")), trafficPolicy(subset.path("trafficPolicy"))));
        }
        TrafficPolicy policy = trafficPolicy(spec.path("trafficPolicy"));
        return new DestinationRule(origin(manifest), spec.path("host").asText(), policy == null ? TrafficPolicy.NONE : policy, subsets);
    }

    private static TrafficPolicy trafficPolicy(JsonNode policy) {
        if (policy.isMissingNode()) {
            return null;
        }
        return new TrafficPolicy(loadBalancer(policy.path("loadBalancer")), connectionPool(policy.path("connectionPool")),
                outlierDetection(policy.path("outlierDetection")));
    }

    private static LoadBalancer loadBalancer(JsonNode lb) {
        if (lb.isMissingNode()) {
            return null;
        }
        Simple simple = lb.has("simple") ? Simple.valueOf(lb.path("simple").asText()) : null;
        JsonNode locality = lb.path("localityLbSetting");
        LocalityLbSetting setting = null;
        if (!locality.isMissingNode()) {
            List<Distribute> distribute = new ArrayList<>();
            for (JsonNode d : locality.path("distribute")) {
                Map<String, Integer> to = new LinkedHashMap<>();
                d.path("to").fields().forEachRemaining(e -> to.put(e.getKey(), e.getValue().asInt()));
                distribute.add(new Distribute(d.path("from").asText(), to));
            }
            List<Failover> failover = new ArrayList<>();
            for (JsonNode f : locality.path("failover")) {
                failover.add(new Failover(f.path("from").asText(), f.path("to").asText()));
            }
            setting = new LocalityLbSetting(locality.has("enabled") ? locality.path("enabled").asBoolean() : null, distribute,
                    failover, strings(locality.path("failoverPriority")));
        }
        return new LoadBalancer(simple, setting);
    }

    private static ConnectionPool connectionPool(JsonNode pool) {
        if (pool.isMissingNode()) {
            return null;
        }
        JsonNode tcp = pool.path("tcp");
        JsonNode http = pool.path("http");
        return new ConnectionPool(limit(tcp.path("maxConnections")), limit(http.path("http1MaxPendingRequests")),
                limit(http.path("http2MaxRequests")), http.path("maxRequestsPerConnection").asInt(0),
                limit(http.path("maxRetries")), duration(tcp.path("connectTimeout")));
    }

    /** Istio reads 0 (and absence) as "unset": Envoy's default, effectively no limit. */
    private static int limit(JsonNode value) {
        int limit = value.asInt(0);
        return limit <= 0 ? ConnectionPool.UNLIMITED : limit;
    }

    private static OutlierDetection outlierDetection(JsonNode outlier) {
        if (outlier.isMissingNode()) {
            return null;
        }
        Duration interval = duration(outlier.path("interval"));
        Duration base = duration(outlier.path("baseEjectionTime"));
        return new OutlierDetection(outlier.path("consecutive5xxErrors").asInt(5), outlier.path("consecutiveGatewayErrors").asInt(0),
                interval == null ? Duration.ofSeconds(10) : interval, base == null ? Duration.ofSeconds(30) : base,
                outlier.has("maxEjectionPercent") && outlier.path("maxEjectionPercent").asInt() > 0
                        ? outlier.path("maxEjectionPercent").asInt() : 10,
                outlier.path("minHealthPercent").asInt(0));
    }

    // ---- EnvoyFilter, Gateway -----------------------------------------------------------------

    EnvoyFilter envoyFilter(Manifest manifest) {
        JsonNode spec = manifest.spec();
        List<Patch> list = new ArrayList<>();
        JsonNode patches = spec.path("configPatches");
        for (int i = 0; i < patches.size(); i++) {
            JsonNode patch = patches.get(i);
            list.add(new Patch(i, patch.path("applyTo").asText(""), patch.has("patch") ? patch.path("patch").path("operation").asText("INVALID") : "",
                    Context.valueOf(patch.path("match").path("context").asText("ANY")), luaSource(patch)));
        }
        return new EnvoyFilter(origin(manifest), labels(spec.path("workloadSelector").path("labels")), spec.path("priority").asInt(0), list);
    }

    /** The inline Lua of a patch that inserts Envoy's Lua HTTP filter, or null when the patch is anything else. */
    static String luaSource(JsonNode patch) {
        JsonNode value = patch.path("patch").path("value");
        if (!"HTTP_FILTER".equals(patch.path("applyTo").asText()) || !LUA_FILTER.equals(value.path("name").asText())
                || !patch.path("patch").path("operation").asText().startsWith("INSERT")) {
            return null;
        }
        JsonNode config = value.path("typed_config");
        if (config.isMissingNode()) {
            config = value.path("typedConfig");
        }
        for (String field : List.of("inlineCode", "inline_code")) {
            if (config.path(field).isTextual()) {
                return config.path(field).asText();
            }
        }
        for (String field : List.of("defaultSourceCode", "default_source_code")) {
            JsonNode source = config.path(field);
            for (String inline : List.of("inlineString", "inline_string")) {
                if (source.path(inline).isTextual()) {
                    return source.path(inline).asText();
                }
            }
        }
        return null;
    }

    Gateway gateway(Manifest manifest) {
        List<Gateway.Server> servers = new ArrayList<>();
        for (JsonNode server : manifest.spec().path("servers")) {
            servers.add(new Gateway.Server(server.path("port").path("number").asInt(), server.path("port").path("protocol").asText("HTTP"),
                    strings(server.path("hosts"))));
        }
        return new Gateway(origin(manifest), labels(manifest.spec().path("selector")), servers);
    }

    // ---- helpers --------------------------------------------------------------------------------

    static Duration duration(JsonNode value) {
        if (!value.isTextual()) {
            return null;
        }
        Long nanos = CrdSchemas.durationNanos(value.asText());
        return nanos == null ? null : Duration.ofNanos(nanos);
    }

    static Map<String, String> labels(JsonNode node) {
        Map<String, String> labels = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }

    static List<String> strings(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(item -> list.add(item.asText()));
        return list;
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }
}
