package io.productapp.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/** scripts/images.sh names the package to install when a tool it needs is missing. */
class ImagesScriptTest {

    private static final Path ROOT = Path.of(System.getProperty("productapp.root", "..")).toAbsolutePath().normalize();

    @TempDir
    Path bin;

    @ParameterizedTest(name = "without {0}")
    @CsvSource(delimiter = '|', value = {
            "podman      | ''            | podman is missing: apt-get install podman runc",
            "runc        | podman        | runc is missing: apt-get install runc",
            "debootstrap | podman runc   | debootstrap is missing: apt-get install debootstrap" })
    void aMissingToolIsNamedWithItsPackage(String missing, String present, String message) throws Exception {
        tool("dirname", "/usr/bin/dirname");
        for (String tool : present.split(" ")) {
            if (!tool.isBlank()) {
                tool(tool, "/bin/true");
            }
        }
        ProcessBuilder builder = new ProcessBuilder("/bin/bash", ROOT.resolve("scripts/images.sh").toString())
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("PATH", bin.toString());
        env.put("PRODUCTAPP_IMAGE_CACHE", bin.resolve("empty-cache").toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(1);
        assertThat(output.strip()).isEqualTo("images: " + message);
    }

    /** NAME on the test's PATH, running TARGET (a script, not a link: JUnit warns when it deletes links out of its temp dir). */
    private void tool(String name, String target) throws Exception {
        Path script = bin.resolve(name);
        Files.writeString(script, "#!/bin/sh\nexec " + target + " \"$@\"\n");
        script.toFile().setExecutable(true);
    }

}
