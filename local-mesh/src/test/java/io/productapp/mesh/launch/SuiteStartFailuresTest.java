package io.productapp.mesh.launch;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.productapp.mesh.cli.DemoPorts;

class SuiteStartFailuresTest {

    @Test
    void aTakenPortIsReportedBeforeAnythingStarts(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ServiceSpec spec = new ServiceSpec("frontend", dir.resolve("missing.jar"), taken.getLocalPort(), Map.of(), "/");
            assertThatThrownBy(() -> Suite.start(List.of(spec), line -> { }, Duration.ofSeconds(5)))
                    .isInstanceOf(Suite.SuiteException.class)
                    .hasMessageContaining("port " + taken.getLocalPort())
                    .hasMessageContaining("frontend")
                    .hasMessageContaining("in use");
        }
    }

    @Test
    void aMissingApplicationNamesTheFileAndTheBuildCommand(@TempDir Path dir) throws Exception {
        ServiceSpec spec = new ServiceSpec("productcatalog", dir.resolve("quarkus-run.jar"),
                Topology.Ports.DEFAULT.withOffset(DemoPorts.freeOffset()).productcatalog(), Map.of(), "/");
        assertThatThrownBy(() -> Suite.start(List.of(spec), line -> { }, Duration.ofSeconds(5)))
                .isInstanceOf(Suite.SuiteException.class)
                .hasMessageContaining("quarkus-run.jar does not exist")
                .hasMessageContaining("./mvnw package");
    }
}
