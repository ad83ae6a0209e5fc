package io.productapp.helm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import com.marcnuri.helm.TemplateCommand;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;

/** The chart rendered by Helm (as a library) and parsed into typed Kubernetes and Istio objects. */
final class RenderedChart {

    static final Path CHART = Path.of(System.getProperty("productapp.chart", "productapp"));
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
        TemplateCommand template = new Helm(CHART).template().withName("productapp").withNamespace(namespace)
                .withKubeVersion(KUBE_VERSION);
        values.forEach(template::set);
        return new RenderedChart(parse(template.call()));
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
        TemplateCommand template = new Helm(copy).template().withName("productapp").withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION);
        values.forEach(template::set);
        return new RenderedChart(parse(template.call()));
    }

    /** What `helm install --dry-run` prints, NOTES.txt included. */
    static String dryRunInstallOutput(String namespace) {
        Release release = new Helm(CHART).install().withName("productapp").withNamespace(namespace)
                .withKubeVersion(KUBE_VERSION).clientOnly().dryRun().call();
        return release.getOutput();
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
