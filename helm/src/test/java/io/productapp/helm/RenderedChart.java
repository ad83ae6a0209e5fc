package io.productapp.helm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.Release;
import com.marcnuri.helm.TemplateCommand;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;

/** A chart rendered by Helm (as a library) and parsed into typed Kubernetes and Istio objects. */
final class RenderedChart {

    /** The productapp chart, released as {@link #RELEASE}: what the methods without a chart render. */
    static final Path CHART = Path.of(System.getProperty("productapp.chart", "productapp"));
    static final String RELEASE = "productapp";
    /** The loadtest chart (helm/loadtest). */
    static final Path LOADTEST_CHART = Path.of(System.getProperty("loadtest.chart", "loadtest"));
    static final String NAMESPACE = "workshop";
    /** An EKS version Istio 1.30 supports; Helm's library defaults to v1.20, below the chart's kubeVersion. */
    static final String KUBE_VERSION = "1.33.0";

    final List<HasMetadata> objects;

    private RenderedChart(List<HasMetadata> objects) {
        this.objects = objects;
    }

    static RenderedChart render(Map<String, Object> values) {
        return render(NAMESPACE, values);
    }

    static RenderedChart render(String namespace, Map<String, Object> values) {
        return render(CHART, RELEASE, namespace, values);
    }

    /** {@code helm template <release> <chart> -n <namespace> --set key=value...}, parsed. */
    static RenderedChart render(Path chart, String release, String namespace, Map<String, Object> values) {
        TemplateCommand template = template(chart, release, namespace);
        values.forEach(template::set);
        return new RenderedChart(parse(template.call()));
    }

    /**
     * As {@link #render(Path, String, String, Map)}, the values given in a values file (-f) instead:
     * typed as YAML types them (numbers are float64 in Helm, as those of the chart's values.yaml).
     */
    static RenderedChart renderValuesFile(Path chart, String release, String namespace, Map<String, Object> values)
            throws IOException {
        Path file = Files.createTempFile("values", ".yaml");
        try {
            Files.writeString(file, new ObjectMapper(new YAMLFactory()).writeValueAsString(values));
            return new RenderedChart(parse(template(chart, release, namespace).withValuesFile(file).call()));
        } finally {
            Files.delete(file);
        }
    }

    private static TemplateCommand template(Path chart, String release, String namespace) {
        return new Helm(chart).template().withName(release).withNamespace(namespace).withKubeVersion(KUBE_VERSION);
    }

    /**
     * helm-java's template leaves hooks out, so `helm test` pods are rendered from a copy of
     * the chart in which they are ordinary objects (the hook annotation removed).
     */
    static RenderedChart renderTestHooks(Map<String, Object> values) throws IOException {
        Path copy = Files.createTempDirectory("productapp-chart");
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = copy.resolve(CHART.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    String text = Files.readString(file);
                    Files.writeString(target, file.toString().contains("/templates/tests/")
                            ? text.replaceAll("(?m)^\\s*helm\\.sh/hook.*$\\n", "")
                            : text);
                }
            }
        }
        return render(copy, RELEASE, NAMESPACE, values);
    }

    /** What `helm install --dry-run` prints, NOTES.txt included. */
    static String dryRunInstallOutput(String namespace) {
        return dryRunInstallOutput(CHART, RELEASE, namespace, Map.of());
    }

    /** What `helm install <release> <chart> -n <namespace> --set key=value... --dry-run` prints, NOTES.txt included. */
    static String dryRunInstallOutput(Path chart, String release, String namespace, Map<String, Object> values) {
        InstallCommand install = new Helm(chart).install().withName(release).withNamespace(namespace)
                .withKubeVersion(KUBE_VERSION).clientOnly().dryRun();
        values.forEach(install::set);
        Release installed = install.call();
        return installed.getOutput();
    }

    static List<HasMetadata> parse(String manifests) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : manifests.split("(?m)^---\\s*$")) {
            boolean onlyComments = document.lines().allMatch(line -> line.isBlank() || line.startsWith("#"));
            if (!onlyComments) {
                objects.add((HasMetadata) Serialization.unmarshal(document));
            }
        }
        return objects;
    }

    <T extends HasMetadata> Map<String, T> all(Class<T> type) {
        Map<String, T> byName = new LinkedHashMap<>();
        objects.stream().filter(type::isInstance).map(type::cast).forEach(o -> byName.put(o.getMetadata().getName(), o));
        return byName;
    }

    <T extends HasMetadata> T one(Class<T> type, String name) {
        T object = all(type).get(name);
        if (object == null) {
            throw new AssertionError("no " + type.getSimpleName() + " " + name + " in " + all(type).keySet());
        }
        return object;
    }
}
