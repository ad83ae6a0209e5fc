package io.productapp.mesh.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.marcnuri.helm.Helm;

/** Where manifests come from: the Helm chart, rendered as the cluster would get it, and folders read as kubectl reads them. */
public final class Sources {

    /** The namespace the chart is installed into, as in the walkthrough. */
    public static final String NAMESPACE = "workshop";

    private Sources() {
    }

    /** The chart rendered with its default values into {@value #NAMESPACE}, by Helm as a library. */
    public static ManifestReader.Result renderChart(Path chartDir) {
        return renderChart(chartDir, Map.of());
    }

    /** The chart rendered with {@code values} set over its defaults ({@code --set key=value}). */
    public static ManifestReader.Result renderChart(Path chartDir, Map<String, String> values) {
        var template = new Helm(chartDir).template().withName("productapp").withNamespace(NAMESPACE).withKubeVersion("1.33.0");
        values.forEach(template::set);
        String yaml = template.call();
        JvmSignals.reclaim();
        return ManifestReader.read(yaml, chartDir.getFileName() + " (rendered chart)");
    }

    /** Every .yaml/.yml/.json file of a folder, as kubectl apply -f reads it, named relative to {@code root}. */
    public static ManifestReader.Result readFolder(Path folder, Path root) throws IOException {
        List<Manifest> manifests = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(Sources::isManifest).sorted(Comparator.comparing(Path::toString)).toList()) {
                ManifestReader.Result result = ManifestReader.read(file, root.relativize(file.toAbsolutePath().normalize()).toString());
                manifests.addAll(result.manifests());
                findings.addAll(result.findings());
            }
        }
        return new ManifestReader.Result(manifests, findings);
    }

    /** A file kubectl apply -f reads from a folder: .yaml, .yml or .json. */
    public static boolean isManifest(Path file) {
        String name = file.getFileName().toString();
        return Files.isRegularFile(file) && (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"));
    }
}
