package io.productapp.mesh.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopologyTest {

    @Test
    void servicesAreWiredThroughTheOriginalEnvKnobs(@TempDir Path root) throws Exception {
        var specs = Topology.suite(root, Topology.Ports.DEFAULT.withOffset(100));
        var byName = specs.stream().collect(java.util.stream.Collectors.toMap(ServiceSpec::name, s -> s));

        assertThat(byName.keySet()).containsExactlyInAnyOrder("catalogdetail-v1", "catalogdetail-v2", "productcatalog", "frontend");
        assertThat(byName.get("productcatalog").env()).isEqualTo(Map.of("AGG_APP_URL", "http://127.0.0.1:3100/catalogDetail"));
        assertThat(byName.get("frontend").env()).isEqualTo(Map.of("BASE_URL", "http://127.0.0.1:5100/products/"));
        assertThat(byName.get("catalogdetail-v2").port()).isEqualTo(3101);
        assertThat(byName.get("frontend").app()).isEqualTo(root.resolve("frontend/target/quarkus-app/quarkus-run.jar"));
    }

    @Test
    void jvmOptionsFileSkipsCommentsAndBlankLines(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("local-mesh"));
        Files.writeString(root.resolve(Topology.JVM_OPTIONS_FILE), "# why\n-Xmx48m\n\n  -XX:+UseSerialGC  \n");
        assertThat(Topology.suite(root, Topology.Ports.DEFAULT))
                .allSatisfy(spec -> assertThat(spec.jvmOptions()).containsExactly("-Xmx48m", "-XX:+UseSerialGC"));
    }

    @Test
    void noJvmOptionsFileMeansJvmDefaults(@TempDir Path root) throws Exception {
        assertThat(Topology.suite(root, Topology.Ports.DEFAULT)).allSatisfy(spec -> assertThat(spec.jvmOptions()).isEmpty());
    }
}
