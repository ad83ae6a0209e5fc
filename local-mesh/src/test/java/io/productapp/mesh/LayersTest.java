package io.productapp.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The local mesh's layers, lowest first: nothing in a layer imports a layer above it.
 * {@code route} and {@code kube} are pure (no sockets, no Vert.x, no processes, no clock of their own);
 * {@code model} and {@code config} know no Vert.x either.
 */
class LayersTest {

    static final Path SOURCES = Path.of(System.getProperty("productapp.root", "..")).toAbsolutePath().normalize()
            .resolve("local-mesh/src/main/java/io/productapp/mesh");
    static final List<String> LAYERS = List.of("config", "model", "analysis", "route", "proxy", "kube", "launch", "admin", "scenario",
            "cli");
    static final Pattern IMPORT = Pattern.compile("^import (?:static )?io\\.productapp\\.mesh\\.(\\w+)", Pattern.MULTILINE);

    @Test
    void noLayerImportsOneAboveIt() throws IOException {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String layer = SOURCES.relativize(file).getName(0).toString();
                assertThat(LAYERS).as("%s is in a known layer", file).contains(layer);
                Matcher imported = IMPORT.matcher(Files.readString(file));
                while (imported.find()) {
                    String target = imported.group(1);
                    if (LAYERS.indexOf(target) > LAYERS.indexOf(layer)) {
                        violations.add(SOURCES.relativize(file) + " (" + layer + ") imports " + target);
                    }
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void routingAndTheKubeletsRulesArePure() throws IOException {
        for (String layer : List.of("route", "kube")) {
            try (Stream<Path> files = Files.walk(SOURCES.resolve(layer))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    assertThat(Files.readString(file)).as(file.toString())
                            .doesNotContain("import io.vertx").doesNotContain("import java.net.").doesNotContain("import java.nio.channels")
                            .doesNotContain("System.nanoTime").doesNotContain("System.currentTimeMillis").doesNotContain("ProcessBuilder");
                }
            }
        }
    }
}
