package io.productapp.mesh.analysis;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import io.productapp.mesh.config.CrdSchemas;
import io.productapp.mesh.config.Finding;
import io.productapp.mesh.config.ManifestReader;
import io.productapp.mesh.config.Sources;

/**
 * {@code ./demo check [folder...]}: validates Istio scenario folders (default: every folder
 * under istio/) against Istio 1.30.3's schemas, its webhook rules and istioctl analyze's
 * checks, with the Helm chart rendered as the cluster. One line per finding; exit 1 on any error.
 */
public final class Check {

    private Check() {
    }

    public static int run(List<String> args, Path root, PrintStream out, PrintStream err) {
        Path istio = root.resolve("istio");
        List<Path> folders = new ArrayList<>();
        try {
            if (args.isEmpty()) {
                try (Stream<Path> all = Files.list(istio)) {
                    all.filter(Files::isDirectory).sorted(baseFirst()).forEach(folders::add);
                }
            } else {
                for (String arg : args) {
                    Path folder = Files.isDirectory(Path.of(arg)) ? Path.of(arg) : istio.resolve(arg);
                    if (!Files.isDirectory(folder)) {
                        err.println("check: no scenario folder '" + arg + "' (neither a folder nor istio/" + arg + ")");
                        return 2;
                    }
                    folders.add(folder.toAbsolutePath().normalize());
                }
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
                String name = folder.getFileName().toString();
                ScenarioValidator.Report report = validator.validate(name, Sources.readFolder(folder, root));
                report.findings().forEach(out::println);
                out.printf("%s: %d manifests, %d errors, %d warnings%n", root.relativize(folder.toAbsolutePath().normalize()),
                        report.manifests(), report.errors(), report.warnings());
                errors += report.errors();
                warnings += report.warnings();
            }
            out.printf("check: %d folders, %d errors, %d warnings%n", folders.size(), errors, warnings);
            return errors > 0 ? 1 : 0;
        } catch (IOException | RuntimeException e) {
            err.println("check: " + e.getMessage());
            return 2;
        }
    }

    private static Comparator<Path> baseFirst() {
        return Comparator.<Path, Boolean> comparing(p -> !p.getFileName().toString().equals(ScenarioValidator.BASE_SCENARIO))
                .thenComparing(p -> p.getFileName().toString());
    }
}
