package io.productapp.mesh.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import io.productapp.loadtest.LoadPlan;
import io.productapp.loadtest.LoadTest;
import io.productapp.loadtest.RateProfile;
import io.productapp.loadtest.Report;
import io.productapp.loadtest.SplitRule;
import io.productapp.mesh.cli.DemoPorts;
import io.productapp.mesh.kube.Kubectl;
import io.productapp.mesh.scenario.ScenarioRun;

/**
 * Kubernetes' part on the packaged services, under a steady load of the page through the ingress:
 * a SIGKILLed catalogdetail container is restarted by the kubelet while the mesh keeps serving,
 * with no error once it is Ready again; an env change rolls productcatalog out without losing a
 * request.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubeletIT {

    static final Path ROOT = Path.of(System.getProperty("productapp.root", "..")).toAbsolutePath().normalize();
    /** Pages per second: steady, well within what the two cores serve. */
    static final int RATE = 40;

    static LocalMesh mesh;

    @BeforeAll
    static void start() throws Exception {
        Layout.Ports ports = Layout.Ports.DEFAULT.withOffset(DemoPorts.freeOffset());
        mesh = LocalMesh.start(ROOT, new LocalMesh.Options(ports, 7L, ROOT.resolve("local-mesh/target/mesh-logs-kubelet"),
                Duration.ofSeconds(120)), line -> { });
    }

    @AfterAll
    static void stop() {
        if (mesh != null) {
            mesh.close();
        }
    }

    /** {@value #RATE} pages/s for {@code seconds}, in the background. */
    static CompletableFuture<Report> load(int seconds) {
        LoadPlan plan = new LoadPlan(List.of(mesh.ingress()), Map.of(),
                new LoadPlan.Open(RateProfile.constant(RATE, Duration.ofSeconds(seconds)), 64), Duration.ofSeconds(seconds),
                SplitRule.DEFAULT, Duration.ofSeconds(10), Duration.ofSeconds(1), 7L);
        return CompletableFuture.supplyAsync(() -> LoadTest.run(plan, w -> { }));
    }

    static Kubectl.Row row(String pod) {
        return mesh.kubelet().rows().stream().filter(r -> r.name().equals(pod)).findFirst().orElseThrow();
    }

    @Test
    @Order(1)
    void aKilledCatalogdetailIsRestartedWhileTheMeshKeepsServingAndNothingFailsOnceItIsReady() throws Exception {
        CompletableFuture<Report> during = load(12);
        Thread.sleep(3_000);
        mesh.kubelet().kill("catalogdetail-0");
        mesh.kubelet().awaitReady(i -> i.name().equals("catalogdetail-0"), Duration.ofSeconds(60));
        assertThat(row("catalogdetail-0").restarts()).startsWith("1 (");
        Report report = during.get(60, TimeUnit.SECONDS);
        assertThat(report.requests()).isEqualTo(12L * RATE);
        // v2 served while v1 was down: only requests already on their way to the killed process can fail.
        assertThat(report.errorCount()).as("errors while catalogdetail-0 restarted: %s", report.statuses()).isLessThanOrEqualTo(RATE);

        Report after = load(8).get(60, TimeUnit.SECONDS);
        assertThat(after.errorCount()).as("errors once it is Ready again: %s", after.statuses()).isZero();
        assertThat(after.split()).containsKeys("v1", "v2");
    }

    @Test
    @Order(2)
    void aRecipeKillsAPodByServiceAndZoneWaitsUntilItIsReadyAndCountsItsRestarts(@TempDir Path folder) throws Exception {
        java.nio.file.Files.writeString(folder.resolve("demo.run"), """
                load -c 4 -b -r 20 --assert 'errors<=0'
                kill service=catalogdetail zone=us-west-2b
                wait ready service=catalogdetail zone=us-west-2b
                expect restarts 1 catalogdetail2-0
                load -c 4 -b -r 50 --assert 'errors<=0' --expect v1=50,v2=50 --tolerance 25
                """);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        int exit = new ScenarioRun(mesh, print, print).run(folder);
        String output = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(output).isZero();
        assertThat(output).contains("demo: SIGKILL to catalogdetail2-0 (us-west-2b)", "[catalogdetail2-0] Ready after",
                "demo: expect restarts 1 catalogdetail2-0: {catalogdetail2-0=1} PASS");
    }

    @Test
    @Order(3)
    void aRolloutUnderSteadyLoadLosesNoRequest() throws Exception {
        CompletableFuture<Report> during = load(20);
        Thread.sleep(3_000);
        List<String> created = mesh.setEnv("productcatalog", Map.of("PRODUCTCATALOG_MAX_PRODUCTS", "999"));
        Report report = during.get(60, TimeUnit.SECONDS);
        assertThat(created).hasSize(1).doesNotContain("productcatalog-0");
        assertThat(mesh.instances()).filteredOn(i -> i.workload().name().equals("productcatalog")).singleElement()
                .satisfies(i -> assertThat(i.env()).containsEntry("PRODUCTCATALOG_MAX_PRODUCTS", "999"));
        assertThat(report.requests()).isEqualTo(20L * RATE);
        assertThat(report.errorCount()).as("no request lost during the rollout: %s %s", report.statuses(), report.errors()).isZero();
        assertThat(mesh.kubelet().rows()).extracting(Kubectl.Row::name).containsExactlyInAnyOrder("catalogdetail-0",
                "catalogdetail2-0", "frontend-0", created.get(0));
    }
}
