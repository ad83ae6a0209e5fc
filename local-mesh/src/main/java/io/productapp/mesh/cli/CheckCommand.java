package io.productapp.mesh.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import io.productapp.mesh.analysis.ScenarioValidator;
import io.productapp.mesh.config.CrdSchemas;
import io.productapp.mesh.config.Finding;
import io.productapp.mesh.config.ManifestReader;
import io.productapp.mesh.config.Sources;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./demo check [FOLDER...]}: validates scenario folders (default: every folder under
 * istio/) against Istio 1.30.3's schemas, its webhook rules and istioctl analyze's checks, with
 * the Helm chart rendered as the cluster. One line per finding; exit 1 on any error.
 */
@Command(name = "check", mixinStandardHelpOptions = true, version = Demo.VERSION, header = "Validate scenario folders as the API server, its webhook and istioctl analyze would.",
        description = { "Validate istio/ scenario folders (default: all) against Istio 1.30.3's schemas, webhook rules and istioctl "
                + "analyze checks; exit 1 on errors." })
final class CheckCommand implements Callable<Integer> {

    private final Console console;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "FOLDER", description = "A folder of manifests: a path, or a name under istio/.")
    List<String> operands = new ArrayList<>();

    CheckCommand(Console console) {
        this.console = console;
    }

    @Override
    public Integer call() throws IOException {
        Path root = console.root();
        PrintStream out = console.out();
        Path istio = root.resolve("istio");
        List<Path> folders = new ArrayList<>();
        if (operands.isEmpty()) {
            try (Stream<Path> all = Files.list(istio)) {
                all.filter(Files::isDirectory).sorted(baseFirst()).forEach(folders::add);
            }
        } else {
            operands.forEach(operand -> folders.add(Folders.resolve(operand, root, spec.commandLine())));
        }
        ManifestReader.Result chart = Sources.renderChart(root.resolve("helm/productapp"));
        ManifestReader.Result base = Sources.readFolder(istio.resolve(ScenarioValidator.BASE_SCENARIO), root);
        ScenarioValidator validator = new ScenarioValidator(CrdSchemas.load(), chart.manifests(), base.manifests());

        long errors = 0;
        long warnings = 0;
        List<Finding> chartFindings = new ArrayList<>(chart.findings());
        chartFindings.addAll(validator.validateChart());
        chartFindings.forEach(out::println);
        errors += chartFindings.stream().filter(f -> f.level() == Finding.Level.ERROR).count();
        warnings += chartFindings.stream().filter(f -> f.level() == Finding.Level.WARNING).count();
        out.printf("helm/productapp: %d objects, %d findings%n", chart.manifests().size(), chartFindings.size());
        for (Path folder : folders) {
            ScenarioValidator.Report report = validator.validate(folder.getFileName().toString(), Sources.readFolder(folder, root));
            report.findings().forEach(out::println);
            out.printf("%s: %d manifests, %d errors, %d warnings%n", Sources.display(folder, root), report.manifests(), report.errors(),
                    report.warnings());
            errors += report.errors();
            warnings += report.warnings();
        }
        out.printf("check: %d folders, %d errors, %d warnings%n", folders.size(), errors, warnings);
        return errors > 0 ? 1 : 0;
    }

    private static Comparator<Path> baseFirst() {
        return Comparator.<Path, Boolean> comparing(p -> !p.getFileName().toString().equals(ScenarioValidator.BASE_SCENARIO))
                .thenComparing(p -> p.getFileName().toString());
    }
}
