package io.productapp.mesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.productapp.mesh.analysis.ScenarioValidator;
import io.productapp.mesh.analysis.ScenarioValidatorTest;
import picocli.CommandLine;

/**
 * {@code ./demo check}: one line per finding, a summary per folder, exit 1 on errors and 2 for a
 * folder that is not there; an object the webhook refuses reported with the analyzers' findings on it.
 */
class CheckCommandTest {

    static final Path ROOT = Path.of(System.getProperty("productapp.root", "..")).toAbsolutePath().normalize();

    @TempDir
    Path temp;

    @Test
    void checkPrintsOneLinePerFindingAndExits1OnErrors() throws IOException {
        Path root = repoWithScenario("broken", ScenarioValidatorTest.vs("""
                - route:
                    - destination: {host: catalogdetail, port: {number: 3000}, subset: v3}
                """));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(check(root, out)).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(
                "IST0101 error istio/broken/vs.yaml: VirtualService catalogdetail: subset v3 is not defined in any DestinationRule for host catalogdetail",
                "istio/broken: 1 manifests, 1 errors, 0 warnings",
                "check: 2 folders, 1 errors, 0 warnings");
        assertThat(check(root, new ByteArrayOutputStream(), "no-such-scenario")).isEqualTo(2);
    }

    @Test
    void aRefusedObjectIsReportedWithWhatTheAnalyzersFindOnItInOneRound() throws IOException {
        Path root = repoWithScenario("refused", """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: shop-gateway}
                spec:
                  selector: {istio: eastwestgateway}
                """);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(check(root, out, "refused")).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(
                "WEBHOOK error istio/refused/vs.yaml: Gateway shop-gateway: spec.servers: gateway must have at least one server",
                "IST0101 error istio/refused/vs.yaml: Gateway shop-gateway: selector {istio=eastwestgateway} matches no gateway pod",
                "istio/refused: 1 manifests, 2 errors, 0 warnings");
    }

    @Test
    void theRepositorysOwnFoldersHaveNoErrorsOrWarnings() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(check(ROOT, out)).as(out.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).containsPattern("check: \\d+ folders, 0 errors, 0 warnings");
    }

    /** A repository of the chart, the base scenario and one scenario folder of {@code yaml} (its vs.yaml). */
    private Path repoWithScenario(String name, String yaml) throws IOException {
        Path root = temp.resolve("repo");
        Path scenario = Files.createDirectories(root.resolve("istio").resolve(name));
        Path base = Files.createDirectories(root.resolve("istio").resolve(ScenarioValidator.BASE_SCENARIO));
        try (Stream<Path> files = Files.list(ROOT.resolve("istio").resolve(ScenarioValidator.BASE_SCENARIO))) {
            for (Path file : files.toList()) {
                Files.copy(file, base.resolve(file.getFileName()));
            }
        }
        Files.createDirectories(root.resolve("helm"));
        Files.createSymbolicLink(root.resolve("helm/productapp"), ROOT.resolve("helm/productapp"));
        Files.writeString(scenario.resolve("vs.yaml"), yaml);
        return root;
    }

    private static int check(Path root, ByteArrayOutputStream out, String... folders) {
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        CommandLine cli = new CommandLine(new CheckCommand(new Console(root, print, print)));
        cli.setParameterExceptionHandler((e, args) -> 2);
        return cli.execute(folders);
    }
}
