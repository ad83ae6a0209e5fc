package io.productapp.mesh.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.productapp.mesh.config.CrdSchemas;
import io.productapp.mesh.config.Finding;
import io.productapp.mesh.config.Manifest;
import io.productapp.mesh.config.ManifestReader;
import io.productapp.mesh.config.Sources;

public class ScenarioValidatorTest {

    static final Path ROOT = Path.of(System.getProperty("productapp.root", "..")).toAbsolutePath().normalize();
    static final Path ISTIO = ROOT.resolve("istio");

    static CrdSchemas crds;
    static ManifestReader.Result chart;
    static ManifestReader.Result base;
    static ScenarioValidator validator;

    @TempDir
    Path temp;

    @BeforeAll
    static void renderChartAndReadBase() throws IOException {
        crds = CrdSchemas.load();
        chart = Sources.renderChart(ROOT.resolve("helm/productapp"));
        base = Sources.readFolder(ISTIO.resolve(ScenarioValidator.BASE_SCENARIO), ROOT);
        validator = new ScenarioValidator(crds, chart.manifests(), base.manifests());
    }

    static Stream<String> scenarioFolders() throws IOException {
        try (Stream<Path> folders = Files.list(ISTIO)) {
            return folders.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    @Test
    void everyScenarioOfTheWalkthroughHasAFolder() throws IOException {
        assertThat(scenarioFolders()).containsExactlyInAnyOrder("setup-mesh-resources", "route-traffic-to-version-v1",
                "weight-based-routing", "path-based-routing", "header-based-routing", "traffic-mirroring",
                "locality-load-balancing", "fault-injection", "timeouts", "retries", "circuit-breaking");
    }

    @ParameterizedTest
    @MethodSource("scenarioFolders")
    void scenarioValidatesWithoutErrorsOrWarningsTogetherWithTheChart(String folder) throws IOException {
        ScenarioValidator.Report report = validator.validate(folder, Sources.readFolder(ISTIO.resolve(folder), ROOT));
        assertThat(report.manifests()).isPositive();
        assertThat(report.findings()).filteredOn(f -> f.level() != Finding.Level.INFO).isEmpty();
        assertThat(Files.exists(ISTIO.resolve(folder).resolve("README.md"))).as("README.md in " + folder).isTrue();
    }

    @Test
    void theChartHasNoFindings() {
        assertThat(chart.findings()).isEmpty();
        assertThat(validator.validateChart()).isEmpty();
        assertThat(chart.manifests()).extracting(Manifest::subject).contains("Gateway productapp-gateway", "VirtualService productapp");
    }

    static final String VS_HEAD = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: catalogdetail
            spec:
              hosts: [catalogdetail]
            """;

    /** A VirtualService catalogdetail with these http rules (also for the command layer's tests). */
    public static String vs(String http) {
        return VS_HEAD + "  http:\n" + http.stripTrailing().indent(4);
    }

    static final String ROUTE_V1 = """
            - route:
                - destination: {host: catalogdetail, port: {number: 3000}, subset: v1}
            """;

    static Stream<Arguments> brokenManifests() {
        return Stream.of(
                Arguments.of("subset not in any DestinationRule", "IST0101", "subset v3 is not defined in any DestinationRule for host catalogdetail",
                        vs("""
                                - route:
                                    - destination: {host: catalogdetail, port: {number: 3000}, subset: v3}
                                """)),
                Arguments.of("destination host is no Service", "IST0101", "host reviews is not a Service",
                        vs("""
                                - route:
                                    - destination: {host: reviews, port: {number: 9080}}
                                """)),
                Arguments.of("port not on the Service", "IST0101", "port 3001 is not a port of Service catalogdetail",
                        vs("""
                                - route:
                                    - destination: {host: catalogdetail, port: {number: 3001}}
                                """)),
                Arguments.of("subset selects no pods", "IST0173", "subset v3 (labels {version=v3}) selects no pods", """
                        apiVersion: networking.istio.io/v1
                        kind: DestinationRule
                        metadata: {name: catalogdetail}
                        spec:
                          host: catalogdetail
                          subsets:
                            - {name: v1, labels: {version: v1}}
                            - {name: v3, labels: {version: v3}}
                        """),
                Arguments.of("two mesh VirtualServices for one host", "IST0109", "define host */catalogdetail.workshop.svc.cluster.local", VS_HEAD.replace("name: catalogdetail", "name: catalogdetail-canary")
                        + "  http:\n" + ROUTE_V1.indent(4)),
                Arguments.of("rule after a catch-all", "IST0130", "spec.http[1]: VirtualService rule #1 not used (route without matches defined before)", vs(ROUTE_V1 + """
                        - match:
                            - uri: {exact: /catalogDetail}
                          route:
                            - destination: {host: catalogdetail, port: {number: 3000}, subset: v2}
                        """)),
                Arguments.of("match covered by an earlier one", "IST0131", "match #0 of prefix /v1/catalogDetail is not used", vs("""
                        - match:
                            - uri: {prefix: /v1}
                          route:
                            - destination: {host: catalogdetail, port: {number: 3000}, subset: v1}
                        - match:
                            - uri: {prefix: /v1/catalogDetail}
                          route:
                            - destination: {host: catalogdetail, port: {number: 3000}, subset: v2}
                        """)),
                Arguments.of("host not on the gateway", "IST0132", "none of the hosts [shop.example.org] is among the hosts of Gateway shop-gateway",
                        IstioParityTest.GATEWAY.formatted("shop.example.com") + IstioParityTest.shop("shop.example.org", "shop-gateway")),
                Arguments.of("gateway selects no pod", "IST0101", "matches no gateway pod", """
                        apiVersion: networking.istio.io/v1
                        kind: Gateway
                        metadata: {name: shop-gateway}
                        spec:
                          selector: {istio: eastwestgateway}
                          servers:
                            - port: {number: 80, name: http, protocol: HTTP}
                              hosts: ["*"]
                        """),
                Arguments.of("relative EnvoyFilter patch without priority", "IST0151", "INSERT_BEFORE without spec.priority", """
                        apiVersion: networking.istio.io/v1alpha3
                        kind: EnvoyFilter
                        metadata: {name: productcatalog}
                        spec:
                          workloadSelector: {labels: {app: productcatalog}}
                          configPatches:
                            - applyTo: HTTP_FILTER
                              match: {context: SIDECAR_OUTBOUND}
                              patch: {operation: INSERT_BEFORE, value: {name: envoy.filters.http.lua}}
                        """),
                Arguments.of("wrong type", "SCHEMA", "weight", vs("""
                        - route:
                            - destination: {host: catalogdetail, port: {number: 3000}, subset: v1}
                              weight: ninety
                        """)),
                Arguments.of("duration under 1ms", "SCHEMA", "spec.http[0].timeout: must be a valid duration greater than 1ms", vs("""
                        - timeout: 500us
                          route:
                            - destination: {host: catalogdetail, port: {number: 3000}, subset: v1}
                        """)),
                Arguments.of("unknown field", "FIELD", "unknown field spec.http[0].route[0].destination.version", vs("""
                        - route:
                            - destination: {host: catalogdetail, port: {number: 3000}, version: v1}
                        """)),
                Arguments.of("all weights zero", "WEBHOOK", "not every weight may be 0", vs("""
                        - route:
                            - destination: {host: catalogdetail, port: {number: 3000}, subset: v1}
                              weight: 0
                            - destination: {host: catalogdetail, port: {number: 3000}, subset: v2}
                              weight: 0
                        """)),
                Arguments.of("fault without abort or delay", "WEBHOOK", "fault: needs abort and/or delay", vs("""
                        - fault: {}
                          route:
                            - destination: {host: catalogdetail, port: {number: 3000}, subset: v1}
                        """)),
                Arguments.of("mirror percentage over 100", "WEBHOOK", "mirrorPercentage.value must be between 0 and 100", vs("""
                        - route:
                            - destination: {host: catalogdetail, port: {number: 3000}, subset: v1}
                          mirror: {host: catalogdetail, port: {number: 3000}, subset: v2}
                          mirrorPercentage: {value: 150}
                        """)),
                Arguments.of("regex RE2 cannot run", "WEBHOOK", "look-around", vs("""
                        - match:
                            - uri: {regex: "/(?!internal).*"}
                          route:
                            - destination: {host: catalogdetail, port: {number: 3000}, subset: v1}
                        """)),
                Arguments.of("duplicate subset name", "WEBHOOK", "duplicate subset name v1", """
                        apiVersion: networking.istio.io/v1
                        kind: DestinationRule
                        metadata: {name: catalogdetail}
                        spec:
                          host: catalogdetail
                          subsets:
                            - {name: v1, labels: {version: v1}}
                            - {name: v1, labels: {version: v2}}
                        """),
                Arguments.of("unknown kind", "KIND", "kind VirtualServer is not served", """
                        apiVersion: networking.istio.io/v1
                        kind: VirtualServer
                        metadata: {name: catalogdetail}
                        spec: {hosts: [catalogdetail]}
                        """),
                Arguments.of("version that does not serve the kind", "KIND", "networking.istio.io/v2 does not serve VirtualService", """
                        apiVersion: networking.istio.io/v2
                        kind: VirtualService
                        metadata: {name: catalogdetail}
                        spec: {hosts: [catalogdetail]}
                        """),
                Arguments.of("a kind not analysed", "KIND", "batch/v1 Job not analysed (1 object in broken)", """
                        apiVersion: batch/v1
                        kind: Job
                        metadata: {name: catalogdetail-load}
                        spec: {}
                        """),
                Arguments.of("malformed YAML", "YAML", "malformed YAML", VS_HEAD + "  http: [\n    - route: {\n"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("brokenManifests")
    void eachBrokenManifestYieldsExactlyItsCode(String name, String code, String message, String yaml) throws IOException {
        Path folder = Files.createDirectories(temp.resolve("broken"));
        Files.writeString(folder.resolve("broken.yaml"), yaml);
        ScenarioValidator.Report report = validator.validate("broken", Sources.readFolder(folder, temp));

        Set<String> codes = report.findings().stream().map(Finding::code).collect(Collectors.toCollection(TreeSet::new));
        assertThat(codes).as(report.findings().toString()).containsExactly(code);
        assertThat(report.findings()).anySatisfy(f -> {
            assertThat(f.message()).contains(message);
            assertThat(f.file()).startsWith("broken/broken.yaml");
        });
    }

    /**
     * Objects the webhook refuses, and what each command reports on them, code and object: check
     * as istioctl analyze (the refusal and every analyzer's findings on the object), apply as the
     * cluster (the refusal; the object stays out, so what refers to it may not find it).
     */
    static Stream<Arguments> refusedObjects() {
        String shop = IstioParityTest.shop("shop.example.com", "shop-gateway");
        return Stream.of(
                Arguments.of("a Gateway without servers, and a VirtualService bound to it",
                        IstioParityTest.gateway("shop-gateway", "servers: []") + "---\n" + shop,
                        List.of("WEBHOOK Gateway shop-gateway", "IST0132 VirtualService shop"),
                        List.of("WEBHOOK Gateway shop-gateway", "IST0101 VirtualService shop", "IST0132 VirtualService shop")),
                Arguments.of("an EnvoyFilter with an invalid patch and a relative one",
                        IstioParityTest.envoyFilter("- applyTo: HTTP_FILTER\n  match: {context: SIDECAR_OUTBOUND}\n  patch: {operation: INSERT_FIRST}\n"
                                + IstioParityTest.patch("HTTP_FILTER", "INSERT_BEFORE"), ""),
                        List.of("WEBHOOK EnvoyFilter ef", "IST0151 EnvoyFilter ef"), List.of("WEBHOOK EnvoyFilter ef")),
                Arguments.of("a VirtualService without rules, bound to a gateway not defined",
                        IstioParityTest.shopWithoutRules("shop.example.com", "nowhere-gateway"),
                        List.of("WEBHOOK VirtualService shop", "IST0101 VirtualService shop", "IST0132 VirtualService shop"),
                        List.of("WEBHOOK VirtualService shop")),
                Arguments.of("a VirtualService bound to a gateway name Istio generates",
                        IstioParityTest.shop("shop.example.com", "istio-ingress/gateway~istio-autogenerated-k8s-gateway~http"),
                        List.of("WEBHOOK VirtualService shop", "IST0165 VirtualService shop"), List.of("WEBHOOK VirtualService shop")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedObjects")
    void checkAnalysesWhatTheWebhookRefusesWhileApplyLeavesItOutAndRefuses(String name, String yaml, List<String> check, List<String> apply)
            throws IOException {
        Path folder = Files.createDirectories(temp.resolve("refused"));
        Files.writeString(folder.resolve("refused.yaml"), yaml);
        ManifestReader.Result read = Sources.readFolder(folder, temp);
        List<Manifest> inForce = new ArrayList<>(chart.manifests());
        inForce.addAll(base.manifests());

        ScenarioValidator.Report checked = validator.validate("refused", read);
        ScenarioValidator.Report applied = validator.validateOver("refused", inForce, read);

        assertThat(checked.findings()).extracting(f -> f.code() + " " + f.subject()).containsExactlyElementsOf(check);
        assertThat(applied.findings()).extracting(f -> f.code() + " " + f.subject()).containsExactlyElementsOf(apply);
        assertThat(applied.errors()).as("apply refuses it").isPositive();
    }

    @Test
    void malformedYamlNamesFileAndLineWithoutAStackTrace() throws IOException {
        Path folder = Files.createDirectories(temp.resolve("bad"));
        Files.writeString(folder.resolve("vs.yaml"), "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: [x\n");
        List<Finding> findings = validator.validate("bad", Sources.readFolder(folder, temp)).findings();
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.toString()).startsWith("YAML error bad/vs.yaml:").contains("malformed YAML");
            assertThat(f.file()).matches("bad/vs\\.yaml:\\d+");
            assertThat(f.toString()).doesNotContain("Exception").doesNotContain("\n");
        });
    }

    @Test
    void servicePortWithoutProtocolNameIsReported() {
        ManifestReader.Result extra = ManifestReader.read("""
                apiVersion: v1
                kind: Service
                metadata: {name: legacy}
                spec:
                  selector: {app: legacy}
                  ports: [{name: web, port: 8080}]
                """, "legacy.yaml");
        List<Manifest> withLegacy = new ArrayList<>(chart.manifests());
        withLegacy.addAll(extra.manifests());
        assertThat(new ScenarioValidator(crds, withLegacy, base.manifests()).validateChart())
                .singleElement().satisfies(f -> {
                    assertThat(f.code()).isEqualTo("IST0118");
                    assertThat(f.level()).isEqualTo(Finding.Level.INFO);
                });
    }

    @Test
    void destinationWithoutPortOnAMultiPortServiceIsIst0112() throws IOException {
        ManifestReader.Result extra = ManifestReader.read("""
                apiVersion: v1
                kind: Service
                metadata: {name: multiport}
                spec:
                  selector: {app: catalogdetail}
                  ports: [{name: http, port: 3000}, {name: http-admin, port: 3100}]
                """, "multiport.yaml");
        List<Manifest> withMultiport = new ArrayList<>(chart.manifests());
        withMultiport.addAll(extra.manifests());
        Path folder = Files.createDirectories(temp.resolve("multi"));
        Files.writeString(folder.resolve("vs.yaml"), """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: multiport}
                spec:
                  hosts: [multiport]
                  http:
                    - route:
                        - destination: {host: multiport}
                """);
        ScenarioValidator.Report report = new ScenarioValidator(crds, withMultiport, base.manifests())
                .validate("multi", Sources.readFolder(folder, temp));
        assertThat(report.findings()).extracting(Finding::code).containsExactly("IST0112");
    }

    @Test
    void durationsFollowGoSyntax() {
        assertThat(CrdSchemas.durationNanos("2s")).isEqualTo(2_000_000_000L);
        assertThat(CrdSchemas.durationNanos("1m30s")).isEqualTo(90_000_000_000L);
        assertThat(CrdSchemas.durationNanos("1.5ms")).isEqualTo(1_500_000L);
        assertThat(CrdSchemas.durationNanos("2 s")).isNull();
        assertThat(CrdSchemas.durationNanos("two")).isNull();
        assertThat(CrdSchemas.durationNanos("")).isNull();
    }
}
