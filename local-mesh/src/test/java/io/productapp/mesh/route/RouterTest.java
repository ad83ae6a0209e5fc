package io.productapp.mesh.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.productapp.mesh.config.Sources;
import io.productapp.mesh.config.Manifest;
import io.productapp.mesh.config.ManifestReader;
import io.productapp.mesh.analysis.ScenarioValidator;
import io.productapp.mesh.model.MeshConfig;
import io.productapp.mesh.model.Workload;
import io.productapp.mesh.route.RouteOutcome.Direct;
import io.productapp.mesh.route.RouteOutcome.Forward;
import io.productapp.mesh.route.RouteOutcome.NoRoute;
import io.productapp.mesh.route.RouteOutcome.RouteAction;
import io.productapp.mesh.route.RouteOutcome.UnknownHost;
import io.productapp.mesh.route.RouteOutcome.WeightedCluster;

/**
 * Routing without sockets, as Istio's {@code pilot/pkg/simulation} tests route: the chart and
 * {@code setup-mesh-resources} as the cluster, a scenario or a snippet applied over them, a
 * described request from a given proxy, and the outcome Istio's Envoy configuration gives, written
 * as a one-line summary: {@code catalogdetail|3000|v2}, {@code 404 NR}, {@code 503 NC}, plus the
 * rewrite, timeout, retries, fault and mirror that apply.
 */
class RouterTest {

    static final Path ROOT = Path.of(System.getProperty("productapp.root", "..")).toAbsolutePath().normalize();
    static final String CD = "catalogdetail.workshop.svc.cluster.local";

    static MeshConfig chart;
    static MeshConfig base;

    @BeforeAll
    static void chartAndSetup() throws IOException {
        List<Manifest> manifests = new ArrayList<>(Sources.renderChart(ROOT.resolve("helm/productapp")).manifests());
        chart = MeshConfig.of(manifests);
        manifests.addAll(Sources.readFolder(ROOT.resolve("istio/setup-mesh-resources"), ROOT).manifests());
        base = MeshConfig.of(manifests);
    }

    /** One row: what is applied, who sends what, and Istio's outcome (every fragment must be in the summary). */
    record Case(String name, String istio, List<String> folders, String yaml, String from, String authority, String path,
            Map<String, String> headers, List<String> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case c(String name, String istio, String applied, String from, String authority, String path,
            Map<String, String> headers, String... expected) {
        List<String> folders = new ArrayList<>();
        String yaml = null;
        if (applied != null && applied.startsWith("istio/")) {
            folders.add(applied);
        } else {
            yaml = applied;
        }
        return new Case(name, istio, folders, yaml, from, authority, path, headers, List.of(expected));
    }

    private static final Map<String, String> NONE = Map.of();
    /** Applied: nothing, and not even setup-mesh-resources (the chart alone). */
    private static final String CHART_ONLY = "chart only";

    private static Map<String, String> h(String... nameValue) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            headers.put(nameValue[i], nameValue[i + 1]);
        }
        return headers;
    }

    /** A VirtualService for catalogdetail with these rules (YAML under http:). */
    private static String vs(String rules) {
        return "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: catalogdetail\nspec:\n  hosts: [catalogdetail]\n  http:\n"
                + rules.stripIndent().indent(4);
    }

    private static String to(String subset) {
        return "route: [{destination: {host: catalogdetail, port: {number: 3000}, subset: " + subset + "}}]";
    }

    static Stream<Case> cases() {
        String pc = "productcatalog";
        String page = "/catalogDetail";
        return Stream.of(
                // ---- the scenarios' rules -------------------------------------------------------------
                c("setup: no subset, one cluster over both versions", "route to the Service's cluster; LEAST_REQUEST over every endpoint",
                        null, pc, "catalogdetail.workshop.svc.cluster.local:3000", page, NONE, "catalogdetail|3000|-", "retries 2"),
                c("route-traffic-to-version-v1", "subset v1", "istio/route-traffic-to-version-v1", pc, "catalogdetail:3000", page, NONE,
                        "catalogdetail|3000|v1"),
                c("weight-based-routing", "weights 90/10, relative", "istio/weight-based-routing", pc, "catalogdetail:3000", page, NONE,
                        "catalogdetail|3000|v1=90", "catalogdetail|3000|v2=10"),
                c("path-based: /v2/catalogDetail", "exact match, to v2, path rewritten", "istio/path-based-routing", pc,
                        "catalogdetail:3000", "/v2/catalogDetail", NONE, "catalogdetail|3000|v2", "rewrite /catalogDetail"),
                c("path-based: /v1/catalogDetail", "exact match, to v1, path rewritten", "istio/path-based-routing", pc,
                        "catalogdetail:3000", "/v1/catalogDetail?x=1", NONE, "catalogdetail|3000|v1", "rewrite /catalogDetail?x=1"),
                c("path-based: unversioned path", "the last, catch-all rule: v1", "istio/path-based-routing", pc, "catalogdetail:3000",
                        page, NONE, "catalogdetail|3000|v1", "route default-v1"),
                c("header-based: user-type internal", "header match: v2", "istio/header-based-routing", pc, "catalogdetail:3000", page,
                        h("user-type", "internal"), "catalogdetail|3000|v2", "route internal-users-v2"),
                c("header-based: USER-TYPE as the Lua filter adds it", "names case-insensitive: v2", "istio/header-based-routing", pc,
                        "catalogdetail:3000", page, h("USER-TYPE", "internal"), "catalogdetail|3000|v2"),
                c("header-based: user-type external", "no match of the first rule: v1", "istio/header-based-routing", pc,
                        "catalogdetail:3000", page, h("user-type", "external"), "catalogdetail|3000|v1"),
                c("header-based: values are case-sensitive", "Internal is not internal: v1", "istio/header-based-routing", pc,
                        "catalogdetail:3000", page, h("user-type", "Internal"), "catalogdetail|3000|v1"),
                c("traffic-mirroring", "v1 answers; a copy of 50% to v2", "istio/traffic-mirroring", pc, "catalogdetail:3000", page, NONE,
                        "catalogdetail|3000|v1", "mirror catalogdetail|3000|v2 50.0%"),
                c("fault-injection", "delay 2s on 50%, abort 500 on 20%", "istio/fault-injection", pc, "catalogdetail:3000", page, NONE,
                        "catalogdetail|3000|-", "delay 2000ms 50.0%", "abort 500 20.0%"),
                c("timeouts: catalogdetail delayed", "a 5s delay on every request", "istio/timeouts", pc, "catalogdetail:3000", page, NONE,
                        "delay 5000ms 100.0%"),
                c("timeouts: productcatalog", "route timeout 2s", "istio/timeouts", "frontend", "productcatalog:5000", "/products/", NONE,
                        "productcatalog|5000|-", "timeout 2000ms"),
                c("retries", "2 retries on 5xx, reset, connect-failure, refused-stream; 2s per try", "istio/retries", "frontend",
                        "productcatalog:5000", "/products/", NONE, "retries 2 on [5xx, connect-failure, refused-stream, reset]",
                        "per try 2000ms"),
                c("circuit-breaking keeps the route", "the Service's cluster", "istio/circuit-breaking", pc, "catalogdetail:3000", page,
                        NONE, "catalogdetail|3000|-"),
                c("ingress: the chart's productapp VirtualService", "gateway productapp-gateway, prefix / to frontend", null, "ingress",
                        "a.elb.amazonaws.com", "/", NONE, "frontend|9000|-"),
                c("ingress: any path", "prefix / matches every path", null, "ingress", "127.0.0.1:8080", "/products?x=1", NONE,
                        "frontend|9000|-"),

                // ---- SEMANTICS: rules and matches --------------------------------------------------------
                c("rules are ordered, the first match wins", "both rules match: the first", vs("""
                        - match: [{uri: {prefix: /catalog}}]
                          %s
                        - match: [{uri: {exact: /catalogDetail}}]
                          %s
                        """.formatted(to("v1"), to("v2"))), pc, "catalogdetail", page, NONE, "catalogdetail|3000|v1"),
                c("a rule without match catches all; rules after it are unreachable", "the catch-all", vs("""
                        - %s
                        - match: [{uri: {exact: /catalogDetail}}]
                          %s
                        """.formatted(to("v1"), to("v2"))), pc, "catalogdetail", page, NONE, "catalogdetail|3000|v1"),
                c("match entries are ORed", "the second entry matches", vs("""
                        - match: [{uri: {exact: /nope}}, {headers: {x-canary: {exact: "yes"}}}]
                          %s
                        - %s
                        """.formatted(to("v2"), to("v1"))), pc, "catalogdetail", page, h("x-canary", "yes"), "catalogdetail|3000|v2"),
                c("conditions in one entry are ANDed", "uri holds, header does not: next rule", vs("""
                        - match: [{uri: {exact: /catalogDetail}, headers: {x-canary: {exact: "yes"}}}]
                          %s
                        - %s
                        """.formatted(to("v2"), to("v1"))), pc, "catalogdetail", page, NONE, "catalogdetail|3000|v1"),
                c("no rule matches", "Envoy 404, flag NR", vs("""
                        - match: [{uri: {exact: /other}}]
                          %s
                        """.formatted(to("v1"))), pc, "catalogdetail", page, NONE, "404 NR"),
                c("uri exact ignores the query string", "matches", vs("""
                        - match: [{uri: {exact: /catalogDetail}}]
                          %s
                        """.formatted(to("v2"))), pc, "catalogdetail", "/catalogDetail?zone=a", NONE, "catalogdetail|3000|v2"),
                c("uri exact is the whole path", "/catalogDetail/ is another path: NR", vs("""
                        - match: [{uri: {exact: /catalogDetail}}]
                          %s
                        """.formatted(to("v2"))), pc, "catalogdetail", "/catalogDetail/", NONE, "404 NR"),
                c("uri prefix is a plain string prefix", "/v1 matches /v1x", vs("""
                        - match: [{uri: {prefix: /v1}}]
                          %s
                        """.formatted(to("v1"))), pc, "catalogdetail", "/v1x", NONE, "catalogdetail|3000|v1"),
                c("uri regex matches the whole path", "/v2/catalogDetail/x is not /v[12]/catalogDetail: NR", vs("""
                        - match: [{uri: {regex: "/v[12]/catalogDetail"}}]
                          %s
                        """.formatted(to("v1"))), pc, "catalogdetail", "/v2/catalogDetail/x", NONE, "404 NR"),
                c("uri regex, RE2 on the path", "matches", vs("""
                        - match: [{uri: {regex: "/v[12]/catalogDetail"}}]
                          %s
                        """.formatted(to("v1"))), pc, "catalogdetail", "/v2/catalogDetail", NONE, "catalogdetail|3000|v1"),
                c("uri matching is case-sensitive", "/CatalogDetail is not /catalogDetail: NR", vs("""
                        - match: [{uri: {exact: /catalogDetail}}]
                          %s
                        """.formatted(to("v1"))), pc, "catalogdetail", "/CatalogDetail", NONE, "404 NR"),
                c("ignoreUriCase", "matches in any case", vs("""
                        - match: [{uri: {exact: /catalogDetail}, ignoreUriCase: true}]
                          %s
                        """.formatted(to("v1"))), pc, "catalogdetail", "/CATALOGDETAIL", NONE, "catalogdetail|3000|v1"),
                c("header prefix", "matches", vs("""
                        - match: [{headers: {user-type: {prefix: int}}}]
                          %s
                        - %s
                        """.formatted(to("v2"), to("v1"))), pc, "catalogdetail", page, h("user-type", "internal"), "catalogdetail|3000|v2"),
                c("header regex is a full match", "inter is not int.*nal: falls through", vs("""
                        - match: [{headers: {user-type: {regex: "int.*nal"}}}]
                          %s
                        - %s
                        """.formatted(to("v2"), to("v1"))), pc, "catalogdetail", page, h("user-type", "inter"), "catalogdetail|3000|v1"),
                c("header {}: present with any value", "matches", vs("""
                        - match: [{headers: {x-debug: {}}}]
                          %s
                        - %s
                        """.formatted(to("v2"), to("v1"))), pc, "catalogdetail", page, h("x-debug", ""), "catalogdetail|3000|v2"),
                c("header {}: absent", "does not match", vs("""
                        - match: [{headers: {x-debug: {}}}]
                          %s
                        - %s
                        """.formatted(to("v2"), to("v1"))), pc, "catalogdetail", page, NONE, "catalogdetail|3000|v1"),
                c("withoutHeaders: absent header matches", "inverted, a missing header taken as empty", vs("""
                        - match: [{withoutHeaders: {user-type: {exact: internal}}}]
                          %s
                        - %s
                        """.formatted(to("v1"), to("v2"))), pc, "catalogdetail", page, NONE, "catalogdetail|3000|v1"),
                c("withoutHeaders: the header as named", "does not match", vs("""
                        - match: [{withoutHeaders: {user-type: {exact: internal}}}]
                          %s
                        - %s
                        """.formatted(to("v1"), to("v2"))), pc, "catalogdetail", page, h("user-type", "internal"), "catalogdetail|3000|v2"),
                c("several values of one header are joined with a comma", "a,b is matched whole", vs("""
                        - match: [{headers: {x-tag: {exact: "a,b"}}}]
                          %s
                        - %s
                        """.formatted(to("v2"), to("v1"))), pc, "catalogdetail", page, h("x-tag", "a", "X-Tag", "b"), "catalogdetail|3000|v2"),
                c("sourceLabels: the rule is only on matching workloads", "from frontend the rule is absent: NR", vs("""
                        - match: [{sourceLabels: {app: productcatalog}}]
                          %s
                        """.formatted(to("v2"))), "frontend", "catalogdetail", page, NONE, "404 NR"),
                c("sourceLabels: from the workload named", "matches", vs("""
                        - match: [{sourceLabels: {app: productcatalog}}]
                          %s
                        """.formatted(to("v2"))), pc, "catalogdetail", page, NONE, "catalogdetail|3000|v2"),

                // ---- SEMANTICS: destinations -------------------------------------------------------------
                c("weights are relative", "1 and 3: 25% and 75%", vs("""
                        - route:
                            - {destination: {host: catalogdetail, port: {number: 3000}, subset: v1}, weight: 1}
                            - {destination: {host: catalogdetail, port: {number: 3000}, subset: v2}, weight: 3}
                        """), pc, "catalogdetail", page, NONE, "catalogdetail|3000|v1=1", "catalogdetail|3000|v2=3"),
                c("zero weights are dropped", "v2 at 0 never chosen", vs("""
                        - route:
                            - {destination: {host: catalogdetail, port: {number: 3000}, subset: v1}, weight: 100}
                            - {destination: {host: catalogdetail, port: {number: 3000}, subset: v2}, weight: 0}
                        """), pc, "catalogdetail", page, NONE, "clusters [catalogdetail|3000|v1]"),
                c("a subset no DestinationRule defines", "503, flag NC", vs("""
                        - %s
                        """.formatted(to("v3"))), pc, "catalogdetail", page, NONE, "503 NC"),
                c("a destination host that is no Service", "503, flag NC", vs("""
                        - route: [{destination: {host: reviews, port: {number: 9080}}}]
                        """), pc, "catalogdetail", page, NONE, "503 NC"),
                c("a destination host partly qualified", "503, flag NC: Istio resolves short names and FQDNs only", vs("""
                        - route: [{destination: {host: catalogdetail.workshop, port: {number: 3000}}}]
                        """), pc, "catalogdetail", page, NONE, "503 NC"),
                c("rewrite.uri after a prefix match", "the matched prefix replaced", vs("""
                        - match: [{uri: {prefix: /api/}}]
                          rewrite: {uri: /}
                          %s
                        """.formatted(to("v1"))), pc, "catalogdetail", "/api/catalogDetail?x=1", NONE, "rewrite /catalogDetail?x=1"),
                c("mirror without a percentage", "every request copied (100%)", vs("""
                        - %s
                          mirror: {host: catalogdetail, port: {number: 3000}, subset: v2}
                        """.formatted(to("v1"))), pc, "catalogdetail", page, NONE, "mirror catalogdetail|3000|v2 100.0%"),
                c("fault percentages left out", "0%: the fault never fires", vs("""
                        - %s
                          fault: {abort: {httpStatus: 503}}
                        """.formatted(to("v1"))), pc, "catalogdetail", page, NONE, "abort 503 0.0%"),
                c("retries: attempts 0", "no retries at all", vs("""
                        - %s
                          retries: {attempts: 0}
                        """.formatted(to("v1"))), pc, "catalogdetail", page, NONE, "retries 0 on []"),
                c("retries: retryOn with a status code", "503 becomes a retriable status code", vs("""
                        - %s
                          retries: {attempts: 3, retryOn: "gateway-error,503"}
                        """.formatted(to("v1"))), pc, "catalogdetail", page, NONE,
                        "retries 3 on [gateway-error, retriable-status-codes] codes [503]"),
                c("no VirtualService: the Service's default route", "no timeout, Istio's default retries", CHART_ONLY, "frontend",
                        "productcatalog:5000", "/products/", NONE, "productcatalog|5000|-", "route default",
                        "retries 2 on [cancelled, connect-failure, refused-stream, retriable-status-codes, unavailable] codes []"),
                c("host forms: catalogdetail.workshop", "the same Service", "istio/route-traffic-to-version-v1", pc,
                        "catalogdetail.workshop:3000", page, NONE, "catalogdetail|3000|v1"),
                c("host forms: FQDN with a trailing dot, any case", "the same Service", "istio/route-traffic-to-version-v1", pc,
                        "CatalogDetail.workshop.svc.cluster.local.", page, NONE, "catalogdetail|3000|v1"),
                c("an unknown host", "REGISTRY_ONLY's 502: nowhere to pass it through to", null, pc, "reviews:9080", "/", NONE,
                        "502 unknown host"),
                c("host forms: two trailing dots", "no Service: Envoy strips one trailing dot, not two", null, pc, "productcatalog..:5000",
                        "/", NONE, "502 unknown host"),
                c("the sidecars ignore a gateway-only VirtualService", "frontend's default route, not the gateway's productapp",
                        CHART_ONLY, pc, "frontend:9000", "/", NONE, "clusters [frontend|9000|-] route default"),
                c("directResponse", "the proxy answers itself", vs("""
                        - directResponse: {status: 418, body: {string: teapot}}
                        """), pc, "catalogdetail", page, NONE, "418 direct"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void routesAsIstioWould(Case row) {
        MeshConfig config = CHART_ONLY.equals(row.yaml()) ? chart : base;
        List<Manifest> applied = new ArrayList<>();
        for (String folder : row.folders()) {
            try {
                applied.addAll(Sources.readFolder(ROOT.resolve(folder), ROOT).manifests());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        if (row.yaml() != null && !CHART_ONLY.equals(row.yaml())) {
            ManifestReader.Result read = ManifestReader.read(row.yaml(), "inline.yaml");
            assertThat(read.findings()).as("the snippet reads").isEmpty();
            applied.addAll(read.manifests());
        }
        config = config.apply(applied);
        RouteOutcome outcome = new Router(config).route(request(config, row));
        String summary = summary(outcome, row.path());
        assertThat(summary).as(row.name() + " — Istio: " + row.istio()).contains(row.expected());
    }

    @Test
    void onlyAuthoritiesOfADnsNamesLengthAreCached() {
        // A request line may carry 60 KiB of authority: 4,096 cached made-up ones would hold 240 MB.
        Router router = new Router(base);
        RouteRequest.Source source = RouteRequest.Source.sidecar("workshop", Map.of("app", "productcatalog"));
        for (int i = 0; i < 100; i++) {
            String authority = "x".repeat(Router.MAX_CACHED_AUTHORITY) + i;
            assertThat(summary(router.route(new RouteRequest(source, authority, 80, "GET", "/", "http", name -> null)), "/"))
                    .isEqualTo("502 unknown host");
        }
        assertThat(router.cachedTargets()).isZero();
        router.route(new RouteRequest(source, "catalogdetail:3000", 3000, "GET", "/", "http", name -> null));
        assertThat(router.cachedTargets()).isEqualTo(1);
    }

    static RouteRequest request(MeshConfig config, Case row) {
        RouteRequest.Source source;
        if (row.from().equals("ingress")) {
            source = new RouteRequest.Source(Set.of("workshop/productapp-gateway"), "istio-ingress",
                    Map.of("istio", "ingressgateway"));
        } else {
            Workload workload = config.workloads().stream().filter(w -> w.name().equals(row.from())).findFirst().orElseThrow();
            source = RouteRequest.Source.sidecar("workshop", workload.podLabels());
        }
        int colon = row.authority().lastIndexOf(':');
        int port = row.from().equals("ingress") ? 80 : colon > 0 ? Integer.parseInt(row.authority().substring(colon + 1)) : 80;
        if (colon < 0 && !row.from().equals("ingress")) {
            port = 3000; // the Service port a client of catalogdetail calls
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>(row.headers().entrySet());
        return new RouteRequest(source, row.authority(), port, "GET", row.path(), "http", name -> {
            List<String> values = headers.stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).toList();
            return values.isEmpty() ? null : String.join(",", values);
        });
    }

    /** The outcome in one line, as the table's expectations quote it. */
    static String summary(RouteOutcome outcome, String path) {
        if (outcome instanceof NoRoute) {
            return "404 NR";
        }
        if (outcome instanceof UnknownHost) {
            return "502 unknown host";
        }
        if (outcome instanceof Direct direct) {
            return direct.status() + " direct";
        }
        RouteAction action = ((Forward) outcome).action();
        List<WeightedCluster> clusters = action.clusters();
        StringBuilder line = new StringBuilder();
        if (clusters.size() == 1 && clusters.get(0).cluster() == null) {
            line.append("503 NC ");
        }
        line.append("clusters [").append(clusters.stream()
                .map(c -> c.cluster() == null ? "NC(" + c.notFound() + ")" : shortName(c.cluster()) + (clusters.size() > 1 ? "=" + c.weight() : ""))
                .collect(Collectors.joining(", "))).append("]");
        line.append(" route ").append(action.routeName());
        if (action.rewrite() != null) {
            line.append(" rewrite ").append(action.rewritePath(path));
        }
        if (action.timeout() != null) {
            line.append(" timeout ").append(action.timeout().toMillis()).append("ms");
        }
        RetryPolicy retry = action.retryPolicy();
        line.append(" retries ").append(retry.retries()).append(" on ").append(new TreeSet<>(retry.conditions()))
                .append(" codes ").append(new TreeSet<>(retry.statusCodes()));
        if (retry.perTryTimeout() != null) {
            line.append(" per try ").append(retry.perTryTimeout().toMillis()).append("ms");
        }
        if (action.fault() != null && action.fault().delay() != null) {
            line.append(" delay ").append(action.fault().delay().fixedDelay().toMillis()).append("ms ")
                    .append(action.fault().delay().percent()).append("%");
        }
        if (action.fault() != null && action.fault().abort() != null) {
            line.append(" abort ").append(action.fault().abort().httpStatus()).append(" ").append(action.fault().abort().percent()).append("%");
        }
        action.mirrors().forEach(m -> line.append(" mirror ").append(m.cluster() == null ? "NC" : shortName(m.cluster())).append(" ")
                .append(m.percent()).append("%"));
        return line.toString();
    }

    static String shortName(ClusterRef ref) {
        return ref.host().substring(0, ref.host().indexOf('.')) + "|" + ref.port() + "|" + (ref.hasSubset() ? ref.subset() : "-");
    }
}
