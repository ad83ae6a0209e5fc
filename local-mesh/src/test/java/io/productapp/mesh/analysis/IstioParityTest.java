package io.productapp.mesh.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.productapp.mesh.config.CrdSchemas;
import io.productapp.mesh.config.Finding;
import io.productapp.mesh.config.ManifestReader;
import io.productapp.mesh.config.Sources;

/**
 * Each claimed code decided as Istio 1.30's analyzers and webhook decide it, case by case in the
 * way Istio's own analyzer tests exercise them: a folder over the chart and the base scenario, and
 * exactly the findings (code, level and object) istioctl analyze would print for it — none where
 * it prints none. Our own manifests; the cases follow Istio's rules (pkg/config/validation and
 * pkg/config/analysis/analyzers).
 */
class IstioParityTest {

    static ScenarioValidator validator;

    @TempDir
    Path temp;

    @BeforeAll
    static void chartAndBase() throws IOException {
        ManifestReader.Result chart = Sources.renderChart(ScenarioValidatorTest.ROOT.resolve("helm/productapp"));
        ManifestReader.Result base = Sources.readFolder(ScenarioValidatorTest.ISTIO.resolve(ScenarioValidator.BASE_SCENARIO),
                ScenarioValidatorTest.ROOT);
        validator = new ScenarioValidator(CrdSchemas.load(), chart.manifests(), base.manifests());
    }

    /** The VirtualService catalogdetail (it replaces the base scenario's) with these http rules. */
    static String http(String rules) {
        return ScenarioValidatorTest.vs(rules);
    }

    static String route(String subset) {
        return "  route:\n    - destination: {host: catalogdetail, port: {number: 3000}, subset: " + subset + "}\n";
    }

    static final String TCP_HEAD = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: catalogdetail}
            spec:
              hosts: [catalogdetail]
            """;

    /** The VirtualService reviews for host reviews, its rules to follow. */
    static final String REVIEWS_VS = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews}
            spec:
              hosts: [reviews]
            """;

    static String shop(String hosts, String gateways) {
        return """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: shop}
                spec:
                  hosts: [%s]
                  gateways: [%s]
                  http:
                    - route:
                        - destination: {host: frontend, port: {number: 9000}}
                """.formatted(hosts, gateways);
    }

    /** The VirtualService shop without rules (no http, tcp or tls), which the webhook refuses. */
    static String shopWithoutRules(String hosts, String gateways) {
        String shop = shop(hosts, gateways);
        return shop.substring(0, shop.indexOf("  http:"));
    }

    /** A Gateway on the ingress gateway pods with these {@code servers: ...} lines. */
    static String gateway(String name, String servers) {
        return """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: %s}
                spec:
                  selector: {istio: ingressgateway}
                %s""".formatted(name, servers.stripTrailing().indent(2));
    }

    /** A ServiceEntry for {@code host}, ports 80 (HTTP) and 443 (HTTPS), resolved by DNS. */
    static String serviceEntry(String name, String metadata, String host) {
        return """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata:
                  name: %s
                %sspec:
                  hosts: [%s]
                  location: MESH_EXTERNAL
                  ports: [{number: 80, name: http, protocol: HTTP}, {number: 443, name: https, protocol: HTTPS}]
                  resolution: DNS
                """.formatted(name, metadata, host);
    }

    /** The Gateway shop-gateway with one HTTP server on port 80 for the hosts formatted in. */
    static final String GATEWAY = gateway("shop-gateway", "servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [%s]}]")
            + "---\n";

    static String envoyFilter(String patches, String priority) {
        return """
                apiVersion: networking.istio.io/v1alpha3
                kind: EnvoyFilter
                metadata: {name: ef}
                spec:
                  workloadSelector: {labels: {app: productcatalog}}
                %s  configPatches:
                %s""".formatted(priority, patches.stripTrailing().indent(4));
    }

    static String patch(String applyTo, String operation) {
        return "- applyTo: " + applyTo + "\n  match: {context: SIDECAR_OUTBOUND}\n  patch: {operation: " + operation
                + ", value: {name: envoy.filters.http.lua}}\n";
    }

    /** A delegate: a VirtualService without hosts, which a root rule's delegate names. */
    static final String DELEGATE = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: catalogdetail-delegate}
            spec:
              http:
                - route:
                    - destination: {host: catalogdetail, port: {number: 3000}, subset: v1}
            """;

    static String service(String name, String metadata, String... ports) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: %s
                %sspec:
                  selector: {app: %s}
                  ports: [%s]
                """.formatted(name, metadata, name, String.join(", ", ports));
    }

    /** A VirtualService bound to the mesh in {@code namespace}, for {@code host}, routing to the chart's frontend. */
    static String meshVs(String name, String namespace, String host, String exportTo) {
        return """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: %s, namespace: %s}
                spec:
                  hosts: [%s]
                %s  http:
                    - route: [{destination: {host: frontend.workshop.svc.cluster.local, port: {number: 9000}}}]
                """.formatted(name, namespace, host, exportTo);
    }

    /**
     * The folder's own Service reviews, its Deployment of version v1, and a DestinationRule with
     * subsets v1 and v2 of app reviews (a bare version: v2 would select the chart's catalogdetail
     * v2 pods, which Istio's check counts: it looks at every pod, not the Service's).
     */
    static String reviewsWithSubsets(String more) {
        return service("reviews", "", "{name: http, port: 9080}") + """
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: reviews-v1}
                spec:
                  selector: {matchLabels: {app: reviews, version: v1}}
                  template:
                    metadata: {labels: {app: reviews, version: v1}}
                    spec: {containers: [{name: reviews, image: reviews:1}]}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: reviews}
                spec:
                  host: reviews
                  subsets: [{name: v1, labels: {app: reviews, version: v1}}, {name: v2, labels: {app: reviews, version: v2}}]
                """ + more;
    }

    static Stream<Arguments> cases() {
        String vs = "VirtualService catalogdetail";
        return Stream.of(
                // ---- IST0130 / IST0131: the webhook's analysis of rules (validation.go) ----
                Arguments.of("http: a second rule without match", http("- " + route("v1").substring(2) + "- " + route("v2").substring(2)),
                        List.of("IST0130 warning " + vs + ": spec.http[1]: VirtualService rule #1 not used (only the last rule can have no matches)")),
                Arguments.of("http: a rule with matches after one without",
                        http("- " + route("v1").substring(2) + "- match: [{uri: {exact: /catalogDetail}}]\n" + route("v2")),
                        List.of("IST0130 warning " + vs + ": spec.http[1]: VirtualService rule #1 not used (route without matches defined before)")),
                Arguments.of("http: every match of a rule repeats an earlier rule's",
                        http("- match: [{uri: {exact: /a}}, {uri: {exact: /b}}]\n" + route("v1")
                                + "- match: [{uri: {exact: /b}}, {uri: {exact: /a}, name: again}]\n" + route("v2")),
                        List.of("IST0130 warning " + vs + ": spec.http[1]: VirtualService rule #1 not used (all matches used by prior rules)",
                                "IST0131 info " + vs + ": spec.http[1].match[0]: VirtualService rule #1 match #0 is not used (duplicate/overlapping match in rule #0)",
                                "IST0131 info " + vs + ": spec.http[1].match[1]: VirtualService rule #1 match \"again\" is not used (duplicate/overlapping match in rule #0)")),
                Arguments.of("http: an empty header map is no header condition", http("- match: [{uri: {prefix: /a}, headers: {}}]\n" + route("v1")
                                + "- match: [{uri: {prefix: /a}}]\n" + route("v2")),
                        List.of("IST0130 warning " + vs + ": spec.http[1]: VirtualService rule #1 not used (all matches used by prior rules)",
                                "IST0131 info " + vs + ": spec.http[1].match[0]: VirtualService rule #1 match #0 is not used (duplicate/overlapping match in rule #0)")),
                Arguments.of("http: a match repeated within one rule's own list, names as Istio prints them",
                        http("- name: main\n  match: [{uri: {exact: /a}}, {uri: {exact: /a}, ignoreUriCase: false}]\n" + route("v1")),
                        List.of("IST0131 info " + vs + ": spec.http[0].match[1]: VirtualService rule \"main\" match #1 is not used (duplicate/overlapping match in rule \"main\")")),
                Arguments.of("http: prefix / is an ordinary prefix: a later longer prefix overlaps, nothing is unreachable",
                        http("- match: [{uri: {prefix: /}}]\n" + route("v1") + "- match: [{uri: {prefix: /v2}}]\n" + route("v2")),
                        List.of("IST0131 info " + vs + ": spec.http[1].match[0]: VirtualService rule #1 match #0 of prefix /v2 is not used (duplicate/overlapping match in rule #0 of prefix / on #0)")),
                Arguments.of("http: overlapping prefixes within one rule",
                        http("- match: [{uri: {prefix: /v1}}, {uri: {prefix: /v1/catalogDetail}}]\n" + route("v1")),
                        List.of("IST0131 info " + vs + ": spec.http[0].match[1]: VirtualService rule #0 match #1 of prefix /v1/catalogDetail is not used (duplicate/overlapping match in rule #0 of prefix /v1 on #0)")),
                Arguments.of("http: an exact URI after a covering prefix is not compared",
                        http("- match: [{uri: {prefix: /v1}}]\n" + route("v1") + "- match: [{uri: {exact: /v1/catalogDetail}}]\n" + route("v2")),
                        List.of()),
                Arguments.of("http: a later prefix with one more header does not overlap (header counts differ)",
                        http("- match: [{uri: {prefix: /v1}}]\n" + route("v1")
                                + "- match: [{uri: {prefix: /v1/x}, headers: {user-type: {exact: internal}}}]\n" + route("v2")),
                        List.of()),
                Arguments.of("http: same headers, longer prefix: overlaps",
                        http("- match: [{uri: {prefix: /v1}, headers: {user-type: {exact: internal}}}]\n" + route("v1")
                                + "- match: [{uri: {prefix: /v1/x}, headers: {user-type: {exact: internal}}}]\n" + route("v2")),
                        List.of("IST0131 info " + vs + ": spec.http[1].match[0]: VirtualService rule #1 match #0 of prefix /v1/x is not used (duplicate/overlapping match in rule #0 of prefix /v1 on #0)")),
                Arguments.of("http: no method is GET, so a later POST is not covered",
                        http("- match: [{uri: {prefix: /v1}}]\n" + route("v1") + "- match: [{uri: {prefix: /v1/x}, method: {exact: POST}}]\n" + route("v2")),
                        List.of()),
                Arguments.of("http: source labels are not compared by the overlap check",
                        http("- match: [{uri: {prefix: /v1}, sourceLabels: {app: frontend}}]\n" + route("v1")
                                + "- match: [{uri: {prefix: /v1/x}}]\n" + route("v2")),
                        List.of("IST0131 info " + vs + ": spec.http[1].match[0]: VirtualService rule #1 match #0 of prefix /v1/x is not used (duplicate/overlapping match in rule #0 of prefix /v1 on #0)")),
                Arguments.of("tcp: a second rule without match", TCP_HEAD + """
                          tcp:
                            - route: [{destination: {host: catalogdetail, port: {number: 3000}}}]
                            - route: [{destination: {host: catalogdetail, port: {number: 3000}}}]
                        """,
                        List.of("IST0130 warning " + vs + ": spec.tcp[1]: VirtualService rule #1 not used (only the last rule can have no matches)")),
                Arguments.of("tcp: a repeated match", TCP_HEAD + """
                          tcp:
                            - match: [{port: 3000}]
                              route: [{destination: {host: catalogdetail, port: {number: 3000}, subset: v1}}]
                            - match: [{port: 3000}]
                              route: [{destination: {host: catalogdetail, port: {number: 3000}, subset: v2}}]
                        """,
                        List.of("IST0130 warning " + vs + ": spec.tcp[1]: VirtualService rule #1 not used (all matches used by prior rules)",
                                "IST0131 info " + vs + ": spec.tcp[1].match[0]: VirtualService rule #1 match #0 is not used (duplicate/overlapping match in rule #0)")),
                Arguments.of("tls: a repeated SNI match", TCP_HEAD + """
                          tls:
                            - match: [{sniHosts: [catalogdetail]}]
                              route: [{destination: {host: catalogdetail, port: {number: 3000}, subset: v1}}]
                            - match: [{sniHosts: [catalogdetail]}, {sniHosts: [catalogdetail], port: 3000}]
                              route: [{destination: {host: catalogdetail, port: {number: 3000}, subset: v2}}]
                        """,
                        List.of("IST0131 info " + vs + ": spec.tls[1].match[0]: VirtualService rule #1 match #0 is not used (duplicate/overlapping match in rule #0)")),

                // ---- IST0132: per gateway, hosts matched both ways (virtualservice/gateways.go) ----
                Arguments.of("gateway: no VirtualService host on it", GATEWAY.formatted("shop.example.com") + shop("shop.example.org", "shop-gateway"),
                        List.of("IST0132 warning VirtualService shop: none of the hosts [shop.example.org] is among the hosts of Gateway shop-gateway [shop.example.com]")),
                Arguments.of("gateway: one of two hosts on it is enough", GATEWAY.formatted("shop.example.com") + shop("shop.example.org, shop.example.com", "shop-gateway"),
                        List.of()),
                Arguments.of("gateway: its wildcard covers the host", GATEWAY.formatted("\"*.example.com\"") + shop("shop.example.com", "shop-gateway"),
                        List.of()),
                Arguments.of("gateway: the VirtualService's wildcard covers its host", GATEWAY.formatted("shop.example.com") + shop("\"*\"", "shop-gateway"),
                        List.of()),
                Arguments.of("gateway: ./host is the gateway's namespace's, the VirtualService's too", GATEWAY.formatted("./shop.example.com")
                        + shop("shop.example.com", "shop-gateway"), List.of()),
                Arguments.of("gateway: another namespace's host is not visible", GATEWAY.formatted("payments/shop.example.com")
                        + shop("shop.example.com", "shop-gateway"),
                        List.of("IST0132 warning VirtualService shop: none of the hosts [shop.example.com] is among the hosts of Gateway shop-gateway []")),
                Arguments.of("gateway: a missing gateway is IST0101 and IST0132", shop("shop.example.com", "nowhere-gateway"),
                        List.of("IST0101 error VirtualService shop: gateway nowhere-gateway is not defined",
                                "IST0132 warning VirtualService shop: none of the hosts [shop.example.com] is among the hosts of Gateway nowhere-gateway [] (not defined)")),
                Arguments.of("gateway: one message per gateway lacking the host", GATEWAY.formatted("shop.example.com")
                        + shop("shop.example.com", "shop-gateway, productapp-gateway, mesh"), List.of()),

                // ---- IST0165: a gateway name Istio generates for a Gateway API listener (virtualservice/gateways.go) ----
                Arguments.of("gateway: a generated name is IST0165, not an undefined gateway, and the webhook refuses its '~'",
                        shop("shop.example.com", "istio-ingress/gateway~istio-autogenerated-k8s-gateway~http"),
                        List.of("WEBHOOK error VirtualService shop: spec.gateways[0]: invalid value for gateway name: \"gateway~istio-autogenerated-k8s-gateway~http\"",
                                "IST0165 warning VirtualService shop: spec.gateways[0]: gateway istio-ingress/gateway~istio-autogenerated-k8s-gateway~http is an internal Gateway Istio generates")),
                Arguments.of("gateway: a generated name without namespace, after mesh: IST0165; the webhook's name check ended at mesh",
                        shop("shop.example.com", "mesh, gateway~istio-autogenerated-k8s-gateway~https"),
                        List.of("IST0165 warning VirtualService shop: spec.gateways[1]: gateway gateway~istio-autogenerated-k8s-gateway~https is an internal Gateway")),
                Arguments.of("gateway: the generated part at the end of a name is an ordinary name, so undefined",
                        shop("shop.example.com", "istio-ingress/echo~istio-autogenerated-k8s-gateway"),
                        List.of("WEBHOOK error VirtualService shop: spec.gateways[0]: invalid value for gateway name: \"echo~istio-autogenerated-k8s-gateway\"",
                                "IST0101 error VirtualService shop: gateway istio-ingress/echo~istio-autogenerated-k8s-gateway is not defined",
                                "IST0132 warning VirtualService shop: none of the hosts [shop.example.com] is among the hosts of Gateway istio-ingress/echo~istio-autogenerated-k8s-gateway [] (not defined)")),

                // ---- IST0101 subsets (virtualservice/destinationrules.go), IST0174 (destinationrule/subset.go) ----
                Arguments.of("subset: on a host that is no Service, both checks report", http("- route:\n    - destination: {host: reviews, port: {number: 9080}, subset: v1}\n"),
                        List.of("IST0101 error " + vs + ": spec.http[0].route: host reviews is not a Service in namespace workshop",
                                "IST0101 error " + vs + ": subset v1 is not defined in any DestinationRule for host reviews")),
                Arguments.of("subset: a DestinationRule naming the host by its cluster FQDN defines it", """
                        apiVersion: networking.istio.io/v1
                        kind: DestinationRule
                        metadata: {name: catalogdetail-fqdn}
                        spec:
                          host: catalogdetail.workshop.svc.cluster.local
                          subsets: [{name: v9, labels: {version: v1}}]
                        ---
                        """ + http("- " + route("v9").substring(2)), List.of()),
                Arguments.of("subset: any DestinationRule of the host counts, not only the first", """
                        apiVersion: networking.istio.io/v1
                        kind: DestinationRule
                        metadata: {name: zz-catalogdetail-more}
                        spec:
                          host: catalogdetail
                          subsets: [{name: v1-again, labels: {version: v1}}]
                        ---
                        """ + http("- " + route("v1-again").substring(2)), List.of()),
                Arguments.of("IST0101: a partly qualified host names no Service (short names and FQDNs do)",
                        http("- route:\n    - destination: {host: catalogdetail.workshop, port: {number: 3000}}\n"),
                        List.of("IST0101 error " + vs + ": spec.http[0].route: host catalogdetail.workshop is not a Service in namespace workshop")),
                Arguments.of("IST0174: a DestinationRule for a partly qualified host", """
                        apiVersion: networking.istio.io/v1
                        kind: DestinationRule
                        metadata: {name: catalogdetail-partial}
                        spec:
                          host: catalogdetail.workshop
                        """, List.of("IST0174 warning DestinationRule catalogdetail-partial: host catalogdetail.workshop matches no Service")),
                Arguments.of("DestinationRule host that is no Service: IST0174, a warning", """
                        apiVersion: networking.istio.io/v1
                        kind: DestinationRule
                        metadata: {name: reviews}
                        spec:
                          host: reviews
                          subsets: [{name: v1, labels: {version: v1}}]
                        """,
                        List.of("IST0174 warning DestinationRule reviews: host reviews matches no Service in namespace workshop: the DestinationRule applies to nothing")),

                // ---- IST0151 (envoyfilter/envoyfilter.go) ----
                Arguments.of("EnvoyFilter: INSERT_BEFORE without priority", envoyFilter(patch("HTTP_FILTER", "INSERT_BEFORE"), ""),
                        List.of("IST0151 warning EnvoyFilter ef")),
                Arguments.of("EnvoyFilter: a patch for a waypoint is read and judged as any other",
                        envoyFilter(patch("HTTP_FILTER", "INSERT_BEFORE").replace("SIDECAR_OUTBOUND", "WAYPOINT"), ""),
                        List.of("IST0151 warning EnvoyFilter ef")),
                Arguments.of("EnvoyFilter: REMOVE of an HTTP filter", envoyFilter(patch("HTTP_FILTER", "REMOVE"), ""),
                        List.of("IST0151 warning EnvoyFilter ef")),
                Arguments.of("EnvoyFilter: REMOVE of a route is not relative", envoyFilter(patch("HTTP_ROUTE", "REMOVE"), ""), List.of()),
                Arguments.of("EnvoyFilter: REPLACE of a network filter", envoyFilter(patch("NETWORK_FILTER", "REPLACE"), ""),
                        List.of("IST0151 warning EnvoyFilter ef")),
                Arguments.of("EnvoyFilter: REPLACE of a virtual host", envoyFilter(patch("VIRTUAL_HOST", "REPLACE"), ""),
                        List.of("IST0151 warning EnvoyFilter ef")),
                Arguments.of("EnvoyFilter: MERGE and INSERT_FIRST are not relative",
                        envoyFilter(patch("HTTP_FILTER", "MERGE") + patch("HTTP_FILTER", "INSERT_FIRST"), ""), List.of()),
                Arguments.of("EnvoyFilter: a priority makes relative operations safe", envoyFilter(patch("HTTP_FILTER", "INSERT_AFTER"), "  priority: 10\n"),
                        List.of()),
                Arguments.of("EnvoyFilter: each relative patch is reported",
                        envoyFilter(patch("HTTP_FILTER", "INSERT_BEFORE") + patch("HTTP_FILTER", "REMOVE"), ""),
                        List.of("IST0151 warning EnvoyFilter ef", "IST0151 warning EnvoyFilter ef")),

                // ---- any folder: its own Services and workloads join the model (items 3 and 5) ----
                Arguments.of("IST0118: the folder's own Service, a port named web", service("reviews", "", "{name: web, port: 9080}"),
                        List.of("IST0118 info Service reviews: port 9080 is named 'web'")),
                Arguments.of("IST0118: names and protocols Istio reads", service("reviews", "", "{name: HTTP-Web, port: 9080}",
                        "{name: grpc-web-x, port: 9081}", "{name: http_proxy, port: 9082}", "{name: tcp-db, port: 9083}",
                        "{name: web, port: 9084, appProtocol: http}", "{name: dns, port: 9085, protocol: UDP}", "{port: 3306, name: db}",
                        "{name: ws, port: 9086, appProtocol: kubernetes.io/ws}"), List.of()),
                Arguments.of("IST0118: appProtocol, not the name, says the protocol", service("reviews", "", "{name: http, port: 9080, appProtocol: custom}"),
                        List.of("IST0118 info Service reviews: port 9080 is named 'http' with appProtocol 'custom'")),
                Arguments.of("IST0118: the control plane's Services are not checked", service("istiod", "  labels: {istio: pilot}\n",
                        "{name: web, port: 15014}"), List.of()),
                Arguments.of("IST0112: the folder's own Service with two ports", service("reviews", "", "{name: http, port: 9080}",
                        "{name: http-admin, port: 9090}") + "---\n" + REVIEWS_VS + """
                          http:
                            - route:
                                - destination: {host: reviews}
                        """, List.of("IST0112 error VirtualService reviews: spec.http[0].route: Service reviews exposes several ports [9080, 9090]")),
                Arguments.of("IST0109: two VirtualServices for the folder's Service", service("reviews", "", "{name: http, port: 9080}")
                        + "---\n" + meshVs("reviews-a", "workshop", "reviews", "") + "---\n" + meshVs("reviews-b", "workshop", "reviews.workshop.svc.cluster.local", ""),
                        List.of("IST0109 error VirtualService reviews-a: VirtualServices workshop/reviews-a,workshop/reviews-b bound to the mesh all define host */reviews.workshop.svc.cluster.local",
                                "IST0109 error VirtualService reviews-b: VirtualServices workshop/reviews-a,workshop/reviews-b")),
                Arguments.of("IST0109: one short name in two namespaces is two hosts", meshVs("reviews", "shop", "reviews", "")
                        + "---\n" + meshVs("reviews", "books", "reviews", ""), List.of()),
                Arguments.of("IST0109: each exported to its own namespace only", meshVs("a", "shop", "reviews.example.com", "  exportTo: [\".\"]\n")
                        + "---\n" + meshVs("b", "books", "reviews.example.com", "  exportTo: [\".\"]\n"), List.of()),
                Arguments.of("IST0109: exported to a namespace, and everywhere", meshVs("a", "shop", "reviews.example.com", "  exportTo: [\".\"]\n")
                        + "---\n" + meshVs("b", "books", "reviews.example.com", ""),
                        List.of("IST0109 error VirtualService a: VirtualServices books/b,shop/a bound to the mesh all define host shop/reviews.example.com",
                                "IST0109 error VirtualService b: VirtualServices books/b,shop/a")),
                Arguments.of("IST0173: the folder's Deployment has no pod of the subset", reviewsWithSubsets(""),
                        List.of("IST0173 error DestinationRule reviews: subset v2 (labels {app=reviews, version=v2}) selects no pods")),
                Arguments.of("IST0173: a Pod of the folder has the subset's labels", reviewsWithSubsets("""
                        ---
                        apiVersion: v1
                        kind: Pod
                        metadata: {name: reviews-v2, labels: {app: reviews, version: v2}}
                        spec: {containers: [{name: reviews, image: reviews:2}]}
                        """), List.of()),
                Arguments.of("IST0101: a gateway selector matches a Pod of the folder", """
                        apiVersion: v1
                        kind: Pod
                        metadata: {name: eastwest, labels: {istio: eastwestgateway}}
                        spec: {containers: [{name: proxy, image: proxyv2}]}
                        ---
                        apiVersion: networking.istio.io/v1
                        kind: Gateway
                        metadata: {name: eastwest}
                        spec:
                          selector: {istio: eastwestgateway}
                          servers: [{port: {number: 15443, name: tls, protocol: TLS}, hosts: ["*.local"], tls: {mode: AUTO_PASSTHROUGH}}]
                        """, List.of()),
                Arguments.of("kind: List is read item by item", """
                        apiVersion: v1
                        kind: List
                        items:
                          - apiVersion: v1
                            kind: Service
                            metadata: {name: reviews}
                            spec: {selector: {app: reviews}, ports: [{name: web, port: 9080}]}
                        """, List.of("IST0118 info Service reviews: port 9080 is named 'web'")),
                Arguments.of("kinds not analysed are listed once each", """
                        apiVersion: v1
                        kind: ConfigMap
                        metadata: {name: one}
                        data: {a: b}
                        ---
                        apiVersion: v1
                        kind: ConfigMap
                        metadata: {name: two}
                        data: {a: b}
                        ---
                        apiVersion: v1
                        kind: ServiceAccount
                        metadata: {name: reviews}
                        ---
                        apiVersion: v1
                        kind: Secret
                        metadata: {name: reviews-tls}
                        type: Opaque
                        """, List.of("KIND info ConfigMap one: v1 ConfigMap not analysed (2 objects in case)")),
                Arguments.of("a Service of another namespace is not a short name here", service("reviews", "  namespace: books\n",
                        "{name: http, port: 9080}") + """
                        ---
                        apiVersion: networking.istio.io/v1
                        kind: VirtualService
                        metadata: {name: reviews}
                        spec:
                          hosts: [reviews.books.svc.cluster.local]
                          http:
                            - match: [{uri: {prefix: /short}}]
                              route: [{destination: {host: reviews, port: {number: 9080}}}]
                            - route: [{destination: {host: reviews.books.svc.cluster.local, port: {number: 9080}}}]
                        """, List.of("IST0101 error VirtualService reviews: spec.http[0].route: host reviews is not a Service in namespace workshop")),
                Arguments.of("IST0101 and IST0112 on tcp and tls routes too", service("reviews", "", "{name: tcp, port: 9080}",
                        "{name: tcp-admin, port: 9090}") + "---\n" + REVIEWS_VS + """
                          tcp:
                            - match: [{port: 9080}]
                              route: [{destination: {host: reviews}}]
                            - route: [{destination: {host: ratings, port: {number: 9080}}}]
                        """, List.of("IST0112 error VirtualService reviews: spec.tcp[0].route: Service reviews exposes several ports [9080, 9090]",
                        "IST0101 error VirtualService reviews: spec.tcp[1].route: host ratings is not a Service in namespace workshop")),
                Arguments.of("a Service exported to its own namespace is not visible from another", service("reviews",
                        "  namespace: books\n  annotations: {networking.istio.io/exportTo: \".\"}\n", "{name: http, port: 9080}") + "---\n"
                        + meshVs("reviews", "workshop", "reviews.example.com", "").replace("frontend.workshop.svc.cluster.local, port: {number: 9000}",
                                "reviews.books.svc.cluster.local, port: {number: 9080}")
                        + "---\n" + meshVs("reviews", "books", "reviews.example.org", "").replace("frontend.workshop.svc.cluster.local, port: {number: 9000}",
                                "reviews.books.svc.cluster.local, port: {number: 9080}"),
                        List.of("IST0101 error VirtualService reviews: spec.http[0].route: host reviews.books.svc.cluster.local is not visible from namespace workshop")),
                Arguments.of("a Service exported to the namespaces a VirtualService is exported to is visible", service("reviews",
                        "  namespace: books\n  annotations: {networking.istio.io/exportTo: \"shop,books\"}\n", "{name: http, port: 9080}") + "---\n"
                        + meshVs("reviews", "workshop", "reviews.example.com", "  exportTo: [shop]\n").replace(
                                "frontend.workshop.svc.cluster.local, port: {number: 9000}", "reviews.books.svc.cluster.local, port: {number: 9080}"),
                        List.of()),
                Arguments.of("ServiceEntry: its hosts are destinations, its ports checked (IST0112)", serviceEntry("api", "", "api.example.com")
                        + "---\n" + meshVs("api", "workshop", "api.example.com", "").replace("frontend.workshop.svc.cluster.local, port: {number: 9000}",
                                "api.example.com"), List.of("IST0112 error VirtualService api: spec.http[0].route: ServiceEntry api exposes several ports [80, 443]")),
                Arguments.of("ServiceEntry: a wildcard host covers its subdomains", serviceEntry("eu", "", "\"*.eu.example.com\"")
                        + "---\n" + meshVs("api", "workshop", "api.eu.example.com", "").replace("frontend.workshop.svc.cluster.local, port: {number: 9000}",
                                "api.eu.example.com, port: {number: 443}"), List.of()),
                Arguments.of("ServiceEntry: exported to its own namespace only", serviceEntry("api", "  namespace: books\n", "api.example.com").replace(
                                "spec:\n", "spec:\n  exportTo: [\".\"]\n")
                        + "---\n" + meshVs("api", "workshop", "api.example.com", "").replace("frontend.workshop.svc.cluster.local, port: {number: 9000}",
                                "api.example.com, port: {number: 443}"),
                        List.of("IST0101 error VirtualService api: spec.http[0].route: host api.example.com is not a Service in namespace workshop nor a ServiceEntry's host")),
                Arguments.of("ServiceEntry: a DestinationRule for its host is no IST0174", serviceEntry("api", "", "api.example.com") + """
                        ---
                        apiVersion: networking.istio.io/v1
                        kind: DestinationRule
                        metadata: {name: api}
                        spec:
                          host: api.example.com
                          trafficPolicy: {tls: {mode: SIMPLE}}
                        """, List.of()),
                Arguments.of("explicit nulls are absent, as the API server prunes them", http("""
                        - match: [{uri: {prefix: /}, headers: {x-a: null}, name: null}]
                          fault: null
                          route:
                            - destination: {host: catalogdetail, port: {number: 3000}, subset: v1}
                              headers: null
                        """), List.of()),
                Arguments.of("a refused object is analysed still: a regex that does not compile is one error, not a crash", http("""
                        - match: [{uri: {regex: "(unclosed"}}]
                          route:
                            - destination: {host: catalogdetail, port: {number: 3000}, subset: v1}
                        """), List.of("WEBHOOK error " + vs + ": spec.http[0].match[0].uri.regex: '(unclosed' is not a valid regular expression")),

                // ---- an object the webhook refuses: its refusal (istioctl's IST0106), and every analyzer's findings on it ----
                Arguments.of("refused Gateway without servers: bound to, it is defined; no host of the VirtualService is on it",
                        gateway("shop-gateway", "servers: []") + "---\n" + shop("shop.example.com", "shop-gateway"),
                        List.of("WEBHOOK error Gateway shop-gateway: spec.servers: gateway must have at least one server",
                                "IST0132 warning VirtualService shop: none of the hosts [shop.example.com] is among the hosts of Gateway shop-gateway []")),
                Arguments.of("refused Gateway with two servers sharing a port name: its hosts bind the VirtualService", gateway("shop-gateway", """
                        servers:
                          - {port: {number: 80, name: http, protocol: HTTP}, hosts: [shop.example.com]}
                          - {port: {number: 8080, name: http, protocol: HTTP}, hosts: [shop.example.org]}
                        """) + "---\n" + shop("shop.example.org", "shop-gateway"),
                        List.of("WEBHOOK error Gateway shop-gateway: spec.servers[1].port.name: port names in servers must be unique: duplicate name http")),
                Arguments.of("refused Gateway whose selector matches no pod: IST0101 as well", gateway("shop-gateway", "")
                        .replace("istio: ingressgateway", "istio: eastwestgateway"),
                        List.of("WEBHOOK error Gateway shop-gateway: spec.servers: gateway must have at least one server",
                                "IST0101 error Gateway shop-gateway: selector {istio=eastwestgateway} matches no gateway pod")),
                Arguments.of("refused EnvoyFilter: the relative patch after an invalid one keeps its IST0151", envoyFilter("""
                        - applyTo: HTTP_FILTER
                          match: {context: SIDECAR_OUTBOUND}
                          patch: {operation: INSERT_FIRST}
                        """ + patch("HTTP_FILTER", "INSERT_AFTER"), ""),
                        List.of("WEBHOOK error EnvoyFilter ef: spec.configPatches[0]: Envoy filter: missing patch value for non-remove operation",
                                "IST0151 warning EnvoyFilter ef: spec.configPatches[1] uses the relative operation INSERT_AFTER without spec.priority")),
                Arguments.of("refused EnvoyFilter: a configPatch without patch ends the relative-operation check, as Istio's", envoyFilter("""
                        - applyTo: HTTP_FILTER
                          match: {context: SIDECAR_OUTBOUND}
                        """ + patch("HTTP_FILTER", "INSERT_BEFORE"), ""),
                        List.of("WEBHOOK error EnvoyFilter ef: spec.configPatches[0]: Envoy filter: missing patch")),
                Arguments.of("refused VirtualService without rules: its gateways are analysed", shopWithoutRules("shop.example.com", "nowhere-gateway"),
                        List.of("WEBHOOK error VirtualService shop: spec: http, tcp or tls must be provided in virtual service",
                                "IST0101 error VirtualService shop: gateway nowhere-gateway is not defined",
                                "IST0132 warning VirtualService shop: none of the hosts [shop.example.com] is among the hosts of Gateway nowhere-gateway [] (not defined)")),
                Arguments.of("refused VirtualService without rules, bound to the mesh: it conflicts with the one in force for its host", """
                        apiVersion: networking.istio.io/v1
                        kind: VirtualService
                        metadata: {name: catalogdetail-empty}
                        spec:
                          hosts: [catalogdetail]
                        """,
                        List.of("WEBHOOK error VirtualService catalogdetail-empty: spec: http, tcp or tls must be provided in virtual service",
                                "IST0109 error VirtualService catalogdetail-empty: VirtualServices workshop/catalogdetail,workshop/catalogdetail-empty bound to the mesh all define host */catalogdetail.workshop.svc.cluster.local")),
                Arguments.of("refused VirtualService: its destinations are analysed in the same round", http("""
                        - route:
                            - destination: {host: catalogdetail, port: {number: 3000}, subset: v3}
                              weight: -10
                        """),
                        List.of("WEBHOOK error " + vs + ": spec.http[0].route[0].weight: weight -10 < 0",
                                "IST0101 error " + vs + ": subset v3 is not defined in any DestinationRule for host catalogdetail")),
                Arguments.of("an object the schema refuses stays out, as istioctl cannot read it: no analyzer reports on it", http("""
                        - route:
                            - destination: {host: catalogdetail, port: {number: 3000}, subset: v3, version: v3}
                        """), List.of("FIELD error " + vs + ": unknown field spec.http[0].route[0].destination.version")),

                // ---- schema errors read like kubectl's ----
                Arguments.of("schema: a wrong type", http("""
                        - route:
                            - destination: {host: catalogdetail, port: {number: 3000}, subset: v1}
                              weight: ninety
                        """), List.of("SCHEMA error " + vs + ": spec.http[0].route[0].weight: Invalid value: \"string\": spec.http[0].route[0].weight in body must be of type integer: \"string\"")),
                Arguments.of("schema: a mapping where a list belongs is one error, not a crash", http("""
                        - match: {uri: {prefix: /v1}}
                          route:
                            - destination: {host: catalogdetail, port: {number: 3000}, subset: v1}
                        """), List.of("SCHEMA error " + vs + ": spec.http[0].match: Invalid value: \"object\": spec.http[0].match in body must be of type array: \"object\"")),
                Arguments.of("schema: an empty destination names its missing host", http("""
                        - route:
                            - destination: {}
                        """), List.of("SCHEMA error " + vs + ": spec.http[0].route[0].destination.host: Required value")),
                Arguments.of("schema: a value outside the enumeration", """
                        apiVersion: networking.istio.io/v1
                        kind: DestinationRule
                        metadata: {name: catalogdetail}
                        spec:
                          host: catalogdetail
                          trafficPolicy: {loadBalancer: {simple: FASTEST}}
                          subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
                        """, List.of("SCHEMA error DestinationRule catalogdetail: spec.trafficPolicy.loadBalancer.simple: Unsupported value: \"FASTEST\": supported values: \"UNSPECIFIED\", \"LEAST_CONN\", \"RANDOM\", \"PASSTHROUGH\", \"ROUND_ROBIN\", \"LEAST_REQUEST\"")),
                Arguments.of("schema: two alternatives of one match", http("""
                        - match: [{uri: {exact: /a, prefix: /a}}]
                          route:
                            - destination: {host: catalogdetail, port: {number: 3000}, subset: v1}
                        """), List.of("SCHEMA error " + vs + ": spec.http[0].match[0].uri: Invalid value: \"object\": spec.http[0].match[0].uri in body must validate one and only one schema (oneOf)")),

                // ---- the Gateway and EnvoyFilter webhooks ----
                Arguments.of("Gateway webhook: a name with a dot", gateway("shop.gateway", """
                        servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
                        """), List.of("WEBHOOK error Gateway shop.gateway: metadata.name: invalid gateway name: \"shop.gateway\"")),
                Arguments.of("Gateway webhook: TLS where the protocol needs it, and only there; unique port names", gateway("shop-gateway", """
                        servers:
                          - {port: {number: 443, name: https, protocol: HTTPS}, hosts: [shop.example.com]}
                          - {port: {number: 80, name: http, protocol: HTTP}, hosts: [shop.example.com], tls: {mode: SIMPLE, credentialName: shop}}
                          - {port: {number: 8080, name: http, protocol: HTTP}, hosts: [shop.example.com], tls: {httpsRedirect: true}}
                        """), List.of("WEBHOOK error Gateway shop-gateway: spec.servers[0]: server must have TLS settings for HTTPS/TLS protocols",
                        "WEBHOOK error Gateway shop-gateway: spec.servers[1].tls: server cannot have TLS settings for plain text HTTP ports",
                        "WEBHOOK error Gateway shop-gateway: spec.servers[2].port.name: port names in servers must be unique: duplicate name http")),
                Arguments.of("Gateway webhook: server hosts as namespace/host", gateway("shop-gateway", """
                        servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["./shop.example.com", "*/*", "Shop_NS/x.example.com"]}]
                        """), List.of("WEBHOOK error Gateway shop-gateway: spec.servers[0].hosts: host Shop_NS/x.example.com: the namespace must be *, . or a DNS-1123 label")),
                Arguments.of("EnvoyFilter webhook: a non-REMOVE patch needs a value", envoyFilter("""
                        - applyTo: HTTP_FILTER
                          match: {context: SIDECAR_OUTBOUND}
                          patch: {operation: INSERT_FIRST}
                        """, ""), List.of("WEBHOOK error EnvoyFilter ef: spec.configPatches[0]: Envoy filter: missing patch value for non-remove operation")),
                Arguments.of("EnvoyFilter webhook: the match must suit what the patch applies to", envoyFilter("""
                        - applyTo: CLUSTER
                          match: {context: SIDECAR_OUTBOUND, listener: {portNumber: 3000}}
                          patch: {operation: MERGE, value: {connect_timeout: 1s}}
                        - applyTo: HTTP_FILTER
                          match: {context: SIDECAR_OUTBOUND, listener: {filterChain: {filter: {subFilter: {name: envoy.filters.http.router}}}}}
                          patch: {operation: INSERT_FIRST, value: {name: envoy.filters.http.lua}}
                        - applyTo: NETWORK_FILTER
                          match: {context: SIDECAR_OUTBOUND, listener: {filterChain: {filter: {name: envoy.filters.network.http_connection_manager, subFilter: {name: envoy.filters.http.router}}}}}
                          patch: {operation: MERGE, value: {name: envoy.filters.network.http_connection_manager}}
                        """, "  priority: 1\n"),
                        List.of("WEBHOOK error EnvoyFilter ef: spec.configPatches[0]: Envoy filter: applyTo for cluster class objects cannot have non cluster match",
                                "WEBHOOK error EnvoyFilter ef: spec.configPatches[1]: Envoy filter: filter match has no name to match on",
                                "WEBHOOK error EnvoyFilter ef: spec.configPatches[2]: Envoy filter: subfilter match can be used with applyTo HTTP_FILTER only")),

                // ---- webhook: a delegate has no hosts ----
                Arguments.of("webhook: a delegate VirtualService without hosts is valid", DELEGATE, List.of()),
                Arguments.of("webhook: a delegate bound to a gateway is refused, and analysed: none of its hosts (none) is on the gateway",
                        DELEGATE.replace("spec:\n", "spec:\n  gateways: [productapp-gateway]\n"),
                        List.of("WEBHOOK error VirtualService catalogdetail-delegate: spec.gateways: delegate virtual service must have no gateways specified",
                                "IST0132 warning VirtualService catalogdetail-delegate: none of the hosts [] is among the hosts of Gateway productapp-gateway [*]")),
                Arguments.of("webhook: an empty route is no route", http("""
                        - route: []
                        """), List.of("WEBHOOK error " + vs + ": spec.http[0]: HTTP route, redirect or direct_response is required")),
                Arguments.of("webhook: a root rule hands over to its delegate, with no route of its own", http("""
                        - delegate: {name: catalogdetail-delegate}
                        """) + "---\n" + DELEGATE, List.of()),
                Arguments.of("webhook: a root rule with a route as well", http("""
                        - delegate: {name: catalogdetail-delegate}
                          route:
                            - destination: {host: catalogdetail, port: {number: 3000}, subset: v1}
                        """), List.of("WEBHOOK error " + vs + ": spec.http[0]: root HTTP route  must not specify route")),
                Arguments.of("webhook: mirror with an empty mirrors list is not both", http("""
                        - route:
                            - destination: {host: catalogdetail, port: {number: 3000}, subset: v1}
                          mirror: {host: catalogdetail, port: {number: 3000}, subset: v2}
                          mirrors: []
                        """), List.of()),
                Arguments.of("webhook: a gateway name is namespace/name, both DNS-1123 labels", shop("shop.example.com", "Shop/shop-gateway"),
                        List.of("WEBHOOK error VirtualService shop: spec.gateways[0]: invalid value for namespace: \"Shop\"",
                                "IST0101 error VirtualService shop: gateway Shop/shop-gateway is not defined",
                                "IST0132 warning VirtualService shop: none of the hosts [shop.example.com] is among the hosts of Gateway Shop/shop-gateway")),
                Arguments.of("webhook: name.namespace is the legacy form of a gateway name, a warning", shop("shop.example.com", "shop-gateway.workshop"),
                        List.of("WEBHOOK warning VirtualService shop: spec.gateways[0]: using legacy gatewayName format \"shop-gateway.workshop\"; prefer the <namespace>/<name> format: \"workshop/shop-gateway\"",
                                "IST0101 error VirtualService shop: gateway shop-gateway.workshop is not defined",
                                "IST0132 warning VirtualService shop: none of the hosts [shop.example.com] is among the hosts of Gateway shop-gateway.workshop")),
                Arguments.of("webhook: a match's gateway without namespace is a domain name of DNS-1123 labels", http("- match: [{gateways: [Mesh]}]\n" + route("v1")),
                        List.of("WEBHOOK error " + vs + ": spec.http[0].match[0].gateways[0]: domain name \"Mesh\" invalid (label \"Mesh\" invalid)")),
                Arguments.of("webhook: hosts that match each other are duplicates, wildcards included", """
                        apiVersion: networking.istio.io/v1
                        kind: VirtualService
                        metadata: {name: shop}
                        spec:
                          hosts: ["*.example.com", shop.example.com]
                          gateways: [productapp-gateway]
                          http:
                            - route: [{destination: {host: frontend, port: {number: 9000}}}]
                        """, List.of("WEBHOOK error VirtualService shop: spec.hosts: duplicate hosts in virtual service: *.example.com & shop.example.com")),
                Arguments.of("webhook: * is not a host for the mesh", meshVs("everything", "workshop", "\"*\"", ""),
                        List.of("WEBHOOK error VirtualService everything: spec.hosts[0]: wildcard host * is not allowed for virtual services bound to the mesh gateway")),
                Arguments.of("webhook: a negative weight", http("""
                        - route:
                            - destination: {host: catalogdetail, port: {number: 3000}, subset: v1}
                              weight: 110
                            - destination: {host: catalogdetail, port: {number: 3000}, subset: v2}
                              weight: -10
                        """), List.of("WEBHOOK error " + vs + ": spec.http[0].route[1].weight: weight -10 < 0")),
                Arguments.of("webhook: a VirtualService with no rules is refused", """
                        apiVersion: networking.istio.io/v1
                        kind: VirtualService
                        metadata: {name: empty}
                        spec:
                          hosts: [empty.example.com]
                        """, List.of("WEBHOOK error VirtualService empty: spec: http, tcp or tls must be provided in virtual service")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void findingsAreIstios(String name, String yaml, List<String> expected) throws IOException {
        Path folder = Files.createDirectories(temp.resolve("case"));
        Files.writeString(folder.resolve("case.yaml"), yaml);
        List<Finding> findings = validator.validate("case", Sources.readFolder(folder, temp)).findings();
        List<String> actual = findings.stream().map(f -> f.code() + " " + f.level() + " " + f.subject() + ": " + f.message()).toList();
        assertThat(actual).as(String.join("\n", actual)).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            String want = expected.get(i);
            assertThat(actual).as("expected %s among\n%s", want, String.join("\n", actual)).anySatisfy(a -> assertThat(a).startsWith(want));
        }
    }
}
