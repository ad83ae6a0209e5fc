package io.productapp.mesh.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceCommandTest {

    @TempDir
    Path app;

    private ServiceSpec spec() throws IOException {
        Path jar = Files.createFile(app.resolve("quarkus-run.jar"));
        return new ServiceSpec("catalogdetail-v1", jar, 3000, Map.of(), "/q/health/ready", List.of("-Xmx48m"));
    }

    @Test
    void theClassDataSharingArchiveIsUsedWhenTheBuildMadeOne() throws IOException {
        ServiceSpec spec = spec();
        Files.createFile(app.resolve(ServiceProcess.CDS_ARCHIVE));
        assertThat(ServiceProcess.command(spec, "java")).containsExactly("java", "-Xmx48m",
                "-XX:SharedArchiveFile=app-cds.jsa", "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=3000",
                "-Dquarkus.banner.enabled=false", "-jar", "quarkus-run.jar");
    }

    @Test
    void withoutAnArchiveTheJarStartsAsItIs() throws IOException {
        assertThat(ServiceProcess.command(spec(), "java")).doesNotContain("-XX:SharedArchiveFile=app-cds.jsa")
                .endsWith("-jar", "quarkus-run.jar");
    }
}
