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
        String yaml = helmTemplate(chartDir, values);
        JvmSignals.reclaim();
        return ManifestReader.read(yaml, chartDir.getFileName() + " (rendered chart)");
    }

    /** {@code helm template productapp CHART -n workshop --kube-version 1.33.0 --set ...}, by helm-java. */
    private static String helmTemplate(Path chartDir, Map<String, String> values) {
        var template = new Helm(chartDir).template().withName("productapp").withNamespace(NAMESPACE).withKubeVersion("1.33.0");
        values.forEach(template::set);
        return template.call();
    }

    /**
     * The chart rendered in a child JVM: Helm's Go runtime, once loaded, keeps the process's
     * signals (SIGQUIT among them, which jcmd and jstack attach with), so a process that runs for
     * long, as {@code ./demo} does, leaves it to a child that ends once the chart is rendered.
     * {@code started} learns of the child as soon as it runs (so a launcher can stop it).
     */
    public static ManifestReader.Result renderChartInChild(Path chartDir, Map<String, String> values,
            java.util.function.Consumer<Process> started) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), Sources.class.getName(), chartDir.toString()));
        values.forEach((key, value) -> command.add(key + "=" + value));
        Process render = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        started.accept(render);
        String yaml = new String(render.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            if (render.waitFor() != 0) {
                throw new IOException("rendering the chart " + chartDir + " failed (exit " + render.exitValue() + ")");
            }
        } catch (InterruptedException e) {
            render.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while rendering the chart", e);
        }
        return ManifestReader.read(yaml, chartDir.getFileName() + " (rendered chart)");
    }

    /** {@code Sources CHART_DIR [key=value...]}: prints the chart rendered (the child of {@link #renderChartInChild}). */
    public static void main(String[] args) {
        Map<String, String> values = new java.util.LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            values.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        try {
            System.out.print(helmTemplate(Path.of(args[0]), values));
            System.out.flush();
            System.exit(0);
        } catch (RuntimeException e) {
            System.err.println("helm template " + args[0] + ": " + e.getMessage());
            System.exit(1);
        }
    }

    /** The folder {@code operand} names: a path, or the name of a scenario folder under {@code root}/istio; empty when neither. */
    public static java.util.Optional<Path> folder(String operand, Path root) {
        Path given = Path.of(operand);
        if (Files.isDirectory(given)) {
            return java.util.Optional.of(given.toAbsolutePath().normalize());
        }
        Path scenario = root.resolve("istio").resolve(operand);
        return Files.isDirectory(scenario) ? java.util.Optional.of(scenario.toAbsolutePath().normalize()) : java.util.Optional.empty();
    }

    /** How a folder is shown: relative to {@code root} when inside it. */
    public static String display(Path folder, Path root) {
        Path absolute = folder.toAbsolutePath().normalize();
        return absolute.startsWith(root) ? root.relativize(absolute).toString() : absolute.toString();
    }

    /** Every .yaml/.yml/.json file of a folder, as kubectl apply -f reads it, named relative to {@code root}. */
    public static ManifestReader.Result readFolder(Path folder, Path root) throws IOException {
        List<Manifest> manifests = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        for (Path file : manifestFiles(folder)) {
            ManifestReader.Result result = ManifestReader.read(file, root.relativize(file.toAbsolutePath().normalize()).toString());
            manifests.addAll(result.manifests());
            findings.addAll(result.findings());
        }
        return new ManifestReader.Result(manifests, findings);
    }

    /** The files of a folder kubectl apply -f reads, in the order it reads them (by name). */
    public static List<Path> manifestFiles(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(Sources::isManifest).sorted(Comparator.comparing(Path::toString)).toList();
        }
    }

    /** A file kubectl apply -f reads from a folder: .yaml, .yml or .json. */
    public static boolean isManifest(Path file) {
        String name = file.getFileName().toString();
        return Files.isRegularFile(file) && (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"));
    }
}
