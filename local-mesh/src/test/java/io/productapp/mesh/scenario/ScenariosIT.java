package io.productapp.mesh.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import io.productapp.mesh.cli.DemoPorts;
import io.productapp.mesh.launch.Layout;
import io.productapp.mesh.launch.Layout.Instance;
import io.productapp.mesh.launch.LocalMesh;

/**
 * Every scenario folder under {@code istio/} that has a recipe ({@code demo.run}), proved on the
 * local mesh as {@code ./demo run istio/<folder>} proves it: the chart's four services behind their
 * sidecars and the ingress gateway, the folder applied over {@code setup-mesh-resources}, its
 * recipe's loads, steps and expected results. A folder added with a recipe is tested here with no
 * new code. Where a result can also be seen from the services themselves, it is checked there too
 * (catalogdetail v2's own request count for the mirrored copies).
 */
class ScenariosIT {

    static final Path ROOT = Path.of(System.getProperty("productapp.root", "..")).toAbsolutePath().normalize();
    static LocalMesh mesh;

    /** What some folders show beyond their recipe, checked after it ran. */
    private static final Map<String, Also> ALSO = Map.of(
            "path-based-routing", before -> aggAppUrlIsBackToTheService(),
            "traffic-mirroring", ScenariosIT::v2ReceivedTheMirroredCopies);

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

    @TestFactory
    Stream<DynamicTest> everyFolderWithARecipeDoesWhatItsReadmeSays() throws IOException {
        List<Path> folders;
        try (Stream<Path> all = Files.list(ROOT.resolve("istio"))) {
            folders = all.filter(f -> Files.isRegularFile(f.resolve(Recipe.FILE))).sorted().toList();
        }
        assertThat(folders).as("scenario folders with a recipe").isNotEmpty();
        return folders.stream().map(folder -> DynamicTest.dynamicTest("./demo run istio/" + folder.getFileName(), () -> {
            try {
                Before before = Before.now();
                run(folder);
                Also also = ALSO.get(folder.getFileName().toString());
                if (also != null) {
                    also.check(before);
                }
            } finally {
                resetFaults();
            }
        }));
    }

    /** What the mesh had counted before a folder ran. */
    private record Before(long v2Received, long v2Mirrored, long calls) {
        static Before now() throws Exception {
            return new Before(catalogDetailRequests("catalogdetail2-0"), stats("catalogdetail2-0", "mirrored"), answeredCalls());
        }
    }

    /** A check beyond the recipe. */
    private interface Also {
        void check(Before before) throws Exception;
    }

    /** Mirrored copies, as catalogdetail v2 itself counts them: about half the calls, and every copy the proxies count received. */
    private static void v2ReceivedTheMirroredCopies(Before before) throws Exception {
        long sent = stats("catalogdetail2-0", "mirrored") - before.v2Mirrored();
        long calls = answeredCalls() - before.calls();
        assertThat(Math.abs(100.0 * sent / calls - 50)).as("%d copies of %d calls", sent, calls)
                .isLessThanOrEqualTo(ScenarioRun.band(50, calls));
        // The recipe's expectations waited for every copy to end, so v2 has counted them all.
        assertThat(catalogDetailRequests("catalogdetail2-0") - before.v2Received()).isEqualTo(sent);
    }

    /** The calls to catalogdetail that an instance answered (mirrored copies are not calls). */
    private static long answeredCalls() {
        return stats("catalogdetail-0", "requests") + stats("catalogdetail2-0", "requests");
    }

    private static long stats(String endpoint, String metric) {
        return mesh.dataPlane().stats().total(endpoint, metric);
    }

    private static void run(Path folder) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        int exit = new ScenarioRun(mesh, print, print).run(folder);
        String output = out.toString(StandardCharsets.UTF_8);
        System.out.println(output);
        assertThat(exit).as("./demo run istio/%s exits 0; its output:%n%s", folder.getFileName(), output).isZero();
    }

    /** Leaves no fault behind for the next scenario. */
    private static void resetFaults() throws Exception {
        for (Instance instance : mesh.instances()) {
            if (instance.labels().get("app").equals("catalogdetail")) {
                mesh.call(instance.name(), "/resetFault");
            }
        }
    }

    /** The recipe switched AGG_APP_URL to a version's path and back, two rollouts: one productcatalog pod, with the service's URL. */
    private static void aggAppUrlIsBackToTheService() {
        assertThat(mesh.instances()).filteredOn(i -> i.workload().name().equals("productcatalog")).singleElement()
                .satisfies(i -> assertThat(i.env().get("AGG_APP_URL")).endsWith(":3000/catalogDetail"));
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
