package io.productapp.mesh.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import io.productapp.mesh.scenario.Recipe.RecipeException;

class RecipeTest {

    static final Path ROOT = Path.of(System.getProperty("productapp.root", "..")).toAbsolutePath().normalize();
    static final Path FILE = Path.of("/x/istio/retries/demo.run");

    static Recipe parse(String... lines) throws RecipeException {
        return Recipe.parse(FILE, List.of(lines));
    }

    @Test
    void everyStepIsReadWithItsArguments() throws RecipeException {
        Recipe recipe = parse(
                "# the scenario",
                "fault service=catalogdetail zone=us-west-2b   # the broken one",
                "env productcatalog AGG_APP_URL=http://catalogdetail:3000/v2/catalogDetail",
                "apply ../setup-mesh-resources",
                "load -c 10 -b -r 40 --assert 'errors<25%' -H \"user-type: internal\"",
                "wait 31s",
                "expect flag UO > 0",
                "expect mirrored 50% ±8",
                "expect flag DI 50%",
                "kill service=catalogdetail zone=us-west-2a",
                "wait ready catalogdetail",
                "expect restarts 1 catalogdetail-0",
                "reset version=v2");
        assertThat(recipe.steps()).containsExactly(
                new Recipe.Fault(2, true, List.of("service=catalogdetail", "zone=us-west-2b")),
                new Recipe.Env(3, "productcatalog", Map.of("AGG_APP_URL", "http://catalogdetail:3000/v2/catalogDetail")),
                new Recipe.Apply(4, Path.of("/x/istio/setup-mesh-resources")),
                new Recipe.Load(5, List.of("-c", "10", "-b", "-r", "40", "--assert", "errors<25%", "-H", "user-type: internal")),
                new Recipe.Wait(6, Duration.ofSeconds(31)),
                new Recipe.Expect(7, "flag UO", true, 0, 0),
                new Recipe.Expect(8, "mirrored", false, 50, 8),
                new Recipe.Expect(9, "flag DI", false, 50, Double.NaN),
                new Recipe.Kill(10, List.of("service=catalogdetail", "zone=us-west-2a")),
                new Recipe.AwaitReady(11, List.of("catalogdetail")),
                new Recipe.ExpectRestarts(12, 1, List.of("catalogdetail-0")),
                new Recipe.Fault(13, false, List.of("version=v2")));
    }

    @ParameterizedTest(name = "''{0}'' -> {1}")
    @CsvSource(delimiter = '|', value = {
            "frobnicate|demo.run:1: unknown step 'frobnicate'",
            "fault|demo.run:1: fault needs the instances",
            "env productcatalog|demo.run:1: env needs a Deployment and NAME=VALUE",
            "env productcatalog URL|demo.run:1: env: expected NAME=VALUE, got 'URL'",
            "wait soon|demo.run:1: wait needs one duration",
            "expect flag UO 5|demo.run:1: expect flag UO: expected '> 0', 'P%' (0 to 100) or 'P% ±T', got '5'",
            "expect flag UO 120%|demo.run:1: expect flag UO: expected '> 0', 'P%' (0 to 100) or 'P% ±T', got '120%'",
            "expect flag UO 20% ±-1|demo.run:1: expect flag UO: expected '> 0', 'P%' (0 to 100) or 'P% ±T', got '20% ±-1'",
            "expect latency|demo.run:1: expect: 'flag FLAG ...', 'mirrored ...' or 'restarts N PODS'",
            "expect restarts x catalogdetail-0|demo.run:1: expect restarts: expected 'expect restarts N PODS'",
            "expect restarts 1|demo.run:1: expect restarts: expected 'expect restarts N PODS'",
            "kill|demo.run:1: kill needs the pods",
            "wait ready|demo.run:1: wait ready needs the pods",
            "load -H 'open|demo.run:1: unclosed quote '",
            "apply a b|demo.run:1: apply needs one folder" })
    void aBadLineIsRefusedNamingFileAndLine(String line, String message) {
        assertThatThrownBy(() -> parse(line, "load -c 1 -r 1")).isInstanceOf(RecipeException.class).hasMessageContaining(message);
    }

    @Test
    void aRecipeWithoutALoadIsRefused() {
        assertThatThrownBy(() -> parse("wait 1s")).hasMessageContaining("at least one load step");
    }

    static Stream<Path> scenarioFolders() throws IOException {
        try (Stream<Path> folders = Files.list(ROOT.resolve("istio"))) {
            return folders.filter(Files::isDirectory).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("scenarioFolders")
    void everyScenarioFolderCarriesARecipeThatReads(Path folder) throws Exception {
        assertThat(Recipe.of(folder)).as(folder + "/" + Recipe.FILE).isPresent();
    }

    @Test
    void optionsOnTheCommandLineReplaceTheLoadsButKeepTheStepsBeforeThem() throws Exception {
        List<Recipe.Step> steps = ScenarioRun.plan(ROOT.resolve("istio/retries"), List.of("-c", "20", "-t", "1M"));
        assertThat(steps).hasSize(3);
        assertThat(steps.get(0)).isInstanceOf(Recipe.Fault.class);
        assertThat(steps.get(1)).isInstanceOf(Recipe.Apply.class);
        assertThat(steps.get(2)).isEqualTo(new Recipe.Load(0, List.of("-c", "20", "-t", "1M")));
    }

    @Test
    void aFolderWithoutRecipeGetsTheDefaultLoad(@org.junit.jupiter.api.io.TempDir Path folder) throws Exception {
        assertThat(ScenarioRun.plan(folder, List.of())).containsExactly(new Recipe.Load(0, ScenarioRun.DEFAULT_LOAD));
    }
}
