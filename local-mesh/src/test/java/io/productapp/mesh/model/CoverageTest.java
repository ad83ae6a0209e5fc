package io.productapp.mesh.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.productapp.mesh.config.Sources;
import io.productapp.mesh.config.Finding;
import io.productapp.mesh.config.ManifestReader;
import io.productapp.mesh.analysis.ScenarioValidator;

/** A field the local mesh does not emulate is named, with its file, never silently ignored. */
class CoverageTest {

    static final Path ROOT = Path.of(System.getProperty("productapp.root", "..")).toAbsolutePath().normalize();

    static Stream<Path> scenarioFolders() throws IOException {
        try (Stream<Path> folders = Files.list(ROOT.resolve("istio"))) {
            return folders.filter(Files::isDirectory).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("scenarioFolders")
    void everyFieldOurScenariosUseIsEmulated(Path folder) throws IOException {
        ManifestReader.Result read = Sources.readFolder(folder, ROOT);
        assertThat(read.manifests()).allSatisfy(m -> assertThat(Coverage.warnings(m)).isEmpty());
    }

    @Test
    void theChartsGatewayAndVirtualServiceAreEmulated() {
        ManifestReader.Result chart = Sources.renderChart(ROOT.resolve("helm/productapp"));
        assertThat(chart.manifests()).allSatisfy(m -> assertThat(Coverage.warnings(m)).isEmpty());
    }

    @Test
    void fieldsNotEmulatedAreWarnedAboutOneByOne() {
        ManifestReader.Result read = ManifestReader.read("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: catalogdetail}
                spec:
                  hosts: [catalogdetail]
                  tcp:
                    - route: [{destination: {host: catalogdetail}}]
                  http:
                    - corsPolicy: {allowOrigins: [{exact: "*"}]}
                      route: [{destination: {host: catalogdetail}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: catalogdetail}
                spec:
                  host: catalogdetail
                  trafficPolicy:
                    tls: {mode: ISTIO_MUTUAL}
                    loadBalancer: {consistentHash: {httpHeaderName: x-user}}
                ---
                apiVersion: networking.istio.io/v1alpha3
                kind: EnvoyFilter
                metadata: {name: stats}
                spec:
                  configPatches:
                    - applyTo: CLUSTER
                      patch: {operation: MERGE, value: {connect_timeout: 1s}}
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: payments}
                spec:
                  hosts: [payments.example.com]
                  ports: [{number: 443, name: https, protocol: HTTPS}]
                """, "istio/mine/objects.yaml");
        List<String> warnings = read.manifests().stream().flatMap(m -> Coverage.warnings(m).stream()).map(Finding::toString).toList();
        assertThat(warnings).containsExactly(
                "LOCAL warning istio/mine/objects.yaml: VirtualService catalogdetail: spec.tcp[0].route[0].destination.host is not emulated by the local mesh: has no effect here",
                "LOCAL warning istio/mine/objects.yaml: VirtualService catalogdetail: spec.http[0].corsPolicy.allowOrigins[0].exact is not emulated by the local mesh: has no effect here",
                "LOCAL warning istio/mine/objects.yaml: DestinationRule catalogdetail: spec.trafficPolicy.tls.mode is not emulated by the local mesh: has no effect here",
                "LOCAL warning istio/mine/objects.yaml: DestinationRule catalogdetail: spec.trafficPolicy.loadBalancer.consistentHash.httpHeaderName is not emulated by the local mesh: has no effect here",
                "LOCAL warning istio/mine/objects.yaml: EnvoyFilter stats: spec.configPatches[0] is not emulated by the local mesh: applyTo CLUSTER, operation MERGE: only Lua HTTP filters inserted into the filter chain are run",
                "LOCAL warning istio/mine/objects.yaml: ServiceEntry payments: ServiceEntry is not emulated by the local mesh: it has no effect here");
    }

    @Test
    void theLocalMeshReadmeListsEveryEmulatedField() throws IOException {
        String readme = Files.readString(ROOT.resolve("local-mesh/README.md"));
        Coverage.emulated().forEach((kind, fields) -> fields.keySet().forEach(
                field -> assertThat(readme).as(kind + " " + field).contains("`" + field + "`")));
    }
}
