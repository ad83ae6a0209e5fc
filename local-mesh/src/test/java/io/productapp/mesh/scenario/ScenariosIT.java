package io.productapp.mesh.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.productapp.mesh.cli.DemoPorts;
import io.productapp.mesh.launch.Layout;
import io.productapp.mesh.launch.Layout.Instance;
import io.productapp.mesh.launch.LocalMesh;

/**
 * Every scenario of the walkthrough, proved on the local mesh as {@code ./demo run istio/<folder>}
 * proves it: the chart's four services behind their sidecars and the ingress gateway, the
 * folder applied over {@code setup-mesh-resources}, its recipe's loads, steps and expected results
 * (see each folder's {@code demo.run}). Where a result can be seen from the services themselves,
 * it is checked there too (catalogdetail's own request counters for the mirrored copies).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScenariosIT {

    static final Path ROOT = Path.of(System.getProperty("productapp.root", "..")).toAbsolutePath().normalize();
    static LocalMesh mesh;

    @BeforeAll
    static void startTheMesh() throws Exception {
        Layout.Ports ports = Layout.Ports.DEFAULT.withOffset(DemoPorts.freeOffset());
        mesh = LocalMesh.start(ROOT, new LocalMesh.Options(ports, 20261202L, ROOT.resolve("local-mesh/target/mesh-logs-it"),
                Duration.ofSeconds(120)), line -> { });
    }

    @AfterAll
    static void stopTheMesh() {
        if (mesh != null) {
            mesh.close();
        }
    }

    /** Leaves no fault behind for the next scenario. */
    @AfterEach
    void resetFaults() throws Exception {
        for (Instance instance : mesh.instances()) {
            if (instance.labels().get("app").equals("catalogdetail")) {
                mesh.call(instance.name(), "/resetFault");
            }
        }
    }

    private static String run(String folder) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        int exit = new ScenarioRun(mesh, print, print).run(ROOT.resolve("istio").resolve(folder), List.of());
        String output = out.toString(StandardCharsets.UTF_8);
        System.out.println(output);
        assertThat(exit).as("./demo run istio/%s exits 0; its output:%n%s", folder, output).isZero();
        return output;
    }

    @Test
    @Order(1)
    void setupMeshResourcesSplitsAbout5050() throws Exception {
        run("setup-mesh-resources");
    }

    @Test
    @Order(2)
    void routeTrafficToVersionV1SendsEverythingToV1() throws Exception {
        run("route-traffic-to-version-v1");
    }

    @Test
    @Order(3)
    void weightBasedRoutingSplits9010() throws Exception {
        run("weight-based-routing");
    }

    @Test
    @Order(4)
    void pathBasedRoutingFollowsTheVersionInAggAppUrl() throws Exception {
        String output = run("path-based-routing");
        assertThat(output).contains("restarted [productcatalog-0]");
        assertThat(mesh.instances()).filteredOn(i -> i.name().equals("productcatalog-0")).singleElement()
                .satisfies(i -> assertThat(i.env().get("AGG_APP_URL")).endsWith(":3000/catalogDetail"));
    }

    @Test
    @Order(5)
    void headerBasedRoutingSplits3070FromTheLuaFilterAndPinsInternalCallers() throws Exception {
        run("header-based-routing");
    }

    @Test
    @Order(6)
    void trafficMirroringCopiesHalfToV2WhileClientsSeeV1Only() throws Exception {
        long before = catalogDetailRequests("catalogdetail2-0");
        String output = run("traffic-mirroring");
        // v2 itself received the copies the proxy says it sent (both loads: 1,500 pages, ~50% copied).
        Matcher mirrored = Pattern.compile("catalogdetail\\|3000\\|v2\\s+catalogdetail2-0\\s+\\d+\\s+\\d+\\s+\\d+\\s+\\d+\\s+(\\d+)")
                .matcher(output);
        assertThat(mirrored.find()).as("a counters row for the mirror destination").isTrue();
        long sent = Long.parseLong(mirrored.group(1));
        long received = catalogDetailRequests("catalogdetail2-0") - before;
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (received < sent && System.nanoTime() < deadline) { // the last copies may still be on their way
            received = catalogDetailRequests("catalogdetail2-0") - before;
        }
        assertThat(received).isBetween(1500 * 45 / 100L, 1500 * 55 / 100L).isEqualTo(sent);
    }

    @Test
    @Order(7)
    void faultInjectionDelaysAndAbortsAtTheirShares() throws Exception {
        run("fault-injection");
    }

    @Test
    @Order(8)
    void timeoutsAnswerAfterTheRouteTimeout() throws Exception {
        run("timeouts");
    }

    @Test
    @Order(9)
    void retriesHideMostFailuresOfOneBrokenInstance() throws Exception {
        run("retries");
    }

    @Test
    @Order(10)
    void circuitBreakingOverflowsWith503UO() throws Exception {
        run("circuit-breaking");
    }

    @Test
    @Order(11)
    void localityPrefersTheZoneFailsOverOnEjectionAndComesBack() throws Exception {
        String output = run("locality-load-balancing");
        assertThat(output).contains("GET /injectFault on catalogdetail-0 (us-west-2a)");
    }

    /** catalogdetail's own count of the /catalogDetail requests it served, from its Prometheus metrics. */
    private static long catalogDetailRequests(String instance) throws Exception {
        String metrics = mesh.call(instance, "/q/metrics").body();
        long total = 0;
        Matcher counts = Pattern.compile("http_server_requests_seconds_count\\{[^}]*uri=\"/catalogDetail\"[^}]*} ([0-9.E]+)")
                .matcher(metrics);
        while (counts.find()) {
            total += (long) Double.parseDouble(counts.group(1));
        }
        return total;
    }
}
