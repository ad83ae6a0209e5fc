package io.productapp.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The launcher behind {@code ./demo}, run as a user runs it: when one of the four services dies,
 * it names that service and stops the others; a stop signal (Ctrl-C's SIGINT or a SIGTERM)
 * stops all four. No service outlives the launcher in either case.
 */
class DemoIT {

    private static final Path ROOT = Path.of(System.getProperty("productapp.root", "..")).toAbsolutePath().normalize();
    private static final Path LAUNCHER = ROOT.resolve("local-mesh/target/local-mesh.jar");

    private Process demo;
    private List<ProcessHandle> services = List.of();
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    /** Completes when the launcher's output has been read to its end. */
    private final CompletableFuture<Void> ended = new CompletableFuture<>();

    @AfterEach
    void stopWhatIsLeft() {
        services.forEach(ProcessHandle::destroyForcibly); // none left when the test passed
        if (demo != null) {
            demo.destroyForcibly();
        }
    }

    @Test
    void whenOneServiceDiesTheDemoNamesItAndStopsTheOthers() throws Exception {
        Topology.Ports ports = start();
        services = demo.children().toList();
        assertThat(services).hasSize(4);

        ProcessHandle catalogDetail = serviceOnPort(services, ports.catalogdetailV1());
        catalogDetail.destroyForcibly(); // SIGKILL, as a crash

        assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("the launcher exits").isTrue();
        ended.get(10, TimeUnit.SECONDS);
        assertThat(demo.exitValue()).isEqualTo(1);
        assertThat(output).anyMatch(line -> line.startsWith("demo: catalogdetail-v1 exited with code 137; stopping the others"));
        assertThat(services).noneMatch(ProcessHandle::isAlive);
    }

    @Test
    void aStopSignalStopsAllFourServices() throws Exception {
        start();
        services = demo.children().toList();
        assertThat(services).hasSize(4);

        // SIGTERM, on which the JVM runs the same shutdown hook as on Ctrl-C's SIGINT (through the
        // handle: Process.destroy() would also close the pipe the launcher's last lines come through).
        demo.toHandle().destroy();

        assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("the launcher exits").isTrue();
        ended.get(10, TimeUnit.SECONDS);
        assertThat(services).noneMatch(ProcessHandle::isAlive);
        assertThat(output).contains("demo: stopping the services", "demo: stopped");
    }

    /** Starts the launcher on four free ports and waits for "demo: ready"; returns the ports. */
    private Topology.Ports start() throws Exception {
        int offset = freeOffset();
        String java = ProcessHandle.current().info().command().orElse("java");
        demo = new ProcessBuilder(java, "-Dproductapp.root=" + ROOT, "-jar", LAUNCHER.toString(),
                "--port-offset", Integer.toString(offset))
                .redirectErrorStream(true)
                .start();
        Thread reader = new Thread(this::relay, "demo-output");
        reader.setDaemon(true);
        reader.start();
        ready.get(120, TimeUnit.SECONDS);
        return Topology.Ports.DEFAULT.withOffset(offset);
    }

    private void relay() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                System.out.println(line);
                output.add(line);
                if (line.startsWith("demo: ready")) {
                    ready.complete(null);
                }
            }
        } catch (IOException e) {
            // the launcher is gone
        }
        ended.complete(null);
        ready.completeExceptionally(new IllegalStateException("the launcher ended before it was ready:\n" + String.join("\n", output)));
    }

    private static ProcessHandle serviceOnPort(List<ProcessHandle> services, int port) {
        String portOption = "-Dquarkus.http.port=" + port;
        return services.stream()
                .filter(service -> service.info().arguments().map(List::of).orElse(List.of()).contains(portOption))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no service runs with " + portOption));
    }

    /** An offset at which the four default ports are free now (as ./demo --port-offset takes). */
    private static int freeOffset() throws IOException {
        for (int offset = 20_000 + (int) (ProcessHandle.current().pid() % 5_000); offset < 55_000; offset += 97) {
            Topology.Ports ports = Topology.Ports.DEFAULT.withOffset(offset);
            if (free(ports.catalogdetailV1()) && free(ports.catalogdetailV2()) && free(ports.productcatalog()) && free(ports.frontend())) {
                return offset;
            }
        }
        throw new IOException("no offset with four free ports");
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
