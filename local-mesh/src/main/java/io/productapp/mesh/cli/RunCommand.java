package io.productapp.mesh.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.productapp.mesh.launch.LocalMesh;
import io.productapp.mesh.scenario.Recipe;
import io.productapp.mesh.scenario.Recipe.RecipeException;
import io.productapp.mesh.scenario.ScenarioRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./demo run FOLDER [loadtest options]}: one scenario from start to verdict. The folder's
 * recipe and the load options are checked before the mesh starts, so a mistake costs no start-up.
 */
@Command(name = "run", mixinStandardHelpOptions = true, version = Demo.VERSION, header = "Prove one scenario: start, apply, run its recipe, print the counters, stop.", sortOptions = false,
        description = { "Start the mesh, apply setup-mesh-resources then the folder, run the folder's recipe (demo.run), or "
                + "./loadtest with the options given, print the counters per destination, stop; exit 0 when every load and "
                + "expectation held. The options of ./demo run mean the same anywhere on the line; a ./loadtest option of the "
                + "same name (--seed) goes after --." },
        footer = { "", "Examples:", "  ./demo run istio/retries", "  ./demo run weight-based-routing -c 20 -b -t 30S --expect v1=90,v2=10",
            "  ./demo run fault-injection --port-offset 100 -c 5 -r 20 -- --seed 7" })
final class RunCommand implements Callable<Integer> {

    private final Console console;
    private final ServeCommand top;

    @Spec
    CommandSpec spec;

    @Mixin
    MeshOptions options = new MeshOptions();

    @Parameters(index = "0", paramLabel = "FOLDER", description = "The scenario: a name under istio/, or any folder.")
    String folder;

    @Parameters(index = "1..*", paramLabel = "LOADTEST_OPTION", description = "./loadtest options for one load instead of the recipe's "
            + "loads (the recipe's steps before its first load still run).")
    List<String> loadOptions = new ArrayList<>();

    RunCommand(Console console, ServeCommand top) {
        this.console = console;
        this.top = top;
    }

    @Override
    public Integer call() {
        Path scenario = Folders.resolve(folder, console.root(), spec.commandLine());
        List<Recipe.Step> steps;
        try {
            steps = ScenarioRun.plan(scenario, loadOptions);
        } catch (RecipeException e) {
            console.err().println("demo: " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "./loadtest options: " + e.getMessage());
        } catch (IOException e) {
            console.err().println("demo: " + e.getMessage());
            return 2;
        }
        Stopper stopper = new Stopper(console, false);
        LocalMesh mesh = MeshStart.start(console, options.ports(top.options), options.seed(top.options), stopper);
        if (mesh == null) {
            return 1;
        }
        try {
            MeshStart.describe(mesh, console.out());
            return new ScenarioRun(mesh, console.out(), console.err()).run(scenario, steps);
        } catch (IOException e) {
            console.err().println("demo: " + e.getMessage());
            return 1;
        } finally {
            stopper.stop();
        }
    }
}
