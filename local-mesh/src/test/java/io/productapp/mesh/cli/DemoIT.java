package io.productapp.mesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The launcher behind {@code ./demo}, run as a user runs it: when one of the four service
 * instances dies, the kubelet restarts it and the demo runs on; a stop signal (Ctrl-C's SIGINT or
 * a SIGTERM), during start-up or after, stops every process. No service outlives the launcher.
 * While it runs, {@code ./demo apply} changes the configuration in force, or is refused and
 * changes nothing.
 */
class DemoIT {

    private static final Path ROOT = Path.of(System.getProperty("productapp.root", "..")).toAbsolutePath().normalize();
    private static final Path LAUNCHER = ROOT.resolve("local-mesh/target/local-mesh.jar");

    private Process demo;
    private List<ProcessHandle> services = List.of();
    private final List<String> output = new CopyOnWriteArrayList<>();
    private CompletableFuture<Void> ready = new CompletableFuture<>();
    /** Completes when the launcher's output has been read to its end. */
    private final CompletableFuture<Void> ended = new CompletableFuture<>();

    @AfterEach
    void stopWhatIsLeft() throws InterruptedException {
        if (demo != null) {
            List<ProcessHandle> all = demo.descendants().toList();
            demo.toHandle().destroy(); // SIGTERM: the launcher stops its services itself
            demo.waitFor(60, TimeUnit.SECONDS);
            all.forEach(ProcessHandle::destroyForcibly); // none left when the launcher did its job
            demo.destroyForcibly();
        }
        services.forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    void aServiceThatDiesIsRestartedByTheKubeletAndTheDemoKeepsRunning() throws Exception {
        int offset = start();
        services = demo.children().toList();
        assertThat(services).hasSize(4);

        ProcessHandle catalogDetail = serviceOnPort(services, 3000 + offset);
        catalogDetail.destroyForcibly(); // SIGKILL, as a crash

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (output.stream().noneMatch(line -> line.matches("demo: pod catalogdetail-0 +1/1 +Running +1 \\(.*"))) {
            assertThat(System.nanoTime()).as("catalogdetail-0 Ready again with one restart; output:%n%s", String.join("\n", output))
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
        assertThat(demo.isAlive()).as("the launcher runs on").isTrue();
        assertThat(catalogDetail.isAlive()).isFalse();
        assertThat(demo.children().filter(p -> p.info().commandLine().orElse("").contains("quarkus.http.port=" + (3000 + offset))))
                .as("a new catalogdetail-0 process").hasSize(1);
        services = demo.children().toList();
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

    @Test
    void aStopSignalDuringStartUpLeavesNoProcessAndNoPortBehind() throws Exception {
        int offset = DemoPorts.freeOffset();
        launch(offset);
        // As soon as the first service process runs, well before the launcher is ready.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (demo.children().noneMatch(p -> p.info().commandLine().orElse("").contains("quarkus-run.jar"))) {
            assertThat(System.nanoTime()).as("a service process started").isLessThan(deadline);
            assertThat(demo.isAlive()).as("the launcher runs").isTrue();
            Thread.sleep(20);
        }
        assertThat(ready).isNotDone();
        List<ProcessHandle> started = demo.descendants().toList();
        demo.toHandle().destroy(); // SIGTERM, as `kill <pid>` sends it

        assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("the launcher exits").isTrue();
        ended.get(10, TimeUnit.SECONDS);
        assertThat(output).as("a stop asked for is no failure to start").noneMatch(line -> line.startsWith("demo: could not start"));
        for (ProcessHandle process : started) {
            assertThat(process.onExit().get(30, TimeUnit.SECONDS).isAlive()).as("%s", process.info().commandLine()).isFalse();
        }
        for (int port : DemoPorts.DEFAULT_PORTS) {
            assertThat(DemoPorts.isFree(port + offset)).as("port %d is free again", port + offset).isTrue();
        }
        // And a new launcher on the same ports starts cleanly.
        demo = null;
        start(offset);
    }

    /**
     * A port the mesh needs is held by another program: the launcher says which port and what to
     * do, exits with 1, and leaves no process behind; ports at offset 0: the ingress gateway, a
     * service, a sidecar, the admin API.
     */
    @ParameterizedTest(name = "port {0} + the offset held")
    @ValueSource(ints = { 8080, 3000, 15002, 15000 })
    void aPortInUseEndsTheStartWithAnErrorNamingIt(int port) throws Exception {
        int offset = DemoPorts.freeOffset();
        int held = port + offset;
        try (ServerSocket holder = new ServerSocket(held, 1, InetAddress.getLoopbackAddress())) {
            launch(offset);
            assertThat(demo.waitFor(180, TimeUnit.SECONDS)).as("the launcher exits").isTrue();
            ended.get(10, TimeUnit.SECONDS);
            assertThat(demo.exitValue()).as("exit code; output:%n%s", String.join("\n", output)).isEqualTo(1);
            assertThat(output).as("the reason, naming port %d", held)
                    .anyMatch(line -> line.startsWith("demo: ") && line.contains(String.valueOf(held)) && line.contains("--port-offset N"));
            assertThat(demo.descendants().filter(ProcessHandle::isAlive)).as("processes left").isEmpty();
        }
    }

    @Test
    void applyPutsAFolderInForceAndARefusedFolderChangesNothing(@TempDir Path broken) throws Exception {
        int offset = start();
        String ingress = "http://127.0.0.1:" + (8080 + offset) + "/";
        Files.writeString(broken.resolve("virtual-service-catalogdetail-v3.yaml"), """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata:
                  name: catalogdetail
                spec:
                  hosts: [catalogdetail]
                  http:
                    - route:
                        - destination: {host: catalogdetail, port: {number: 3000}, subset: v3}
                """);

        Captured refused = demo("apply", broken.toString(), "--port-offset", String.valueOf(offset));
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("IST0101").contains("subset v3").contains("refused");
        // Still setup-mesh-resources' configuration: both versions answer.
        assertThat(load(ingress, "--expect", "v1=50,v2=50", "--tolerance", "30")).isZero();

        Captured applied = demo("apply", ROOT.resolve("istio/route-traffic-to-version-v1").toString(), "--port-offset",
                String.valueOf(offset));
        assertThat(applied.code()).as(applied.err()).isZero();
        assertThat(applied.out()).contains("virtualservice/catalogdetail configured");
        assertThat(load(ingress, "--expect", "v1=100", "--tolerance", "1")).isZero();
    }

    private record Captured(int code, String out, String err) {
    }

    private static Captured demo(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Demo.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Captured(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static int load(String url, String... checks) {
        List<String> args = new java.util.ArrayList<>(List.of(url, "-c", "4", "-b", "-r", "100", "-q", "--seed", "7"));
        args.addAll(List.of(checks));
        return io.productapp.loadtest.cli.LoadTestCommand.execute(args.toArray(String[]::new), System.out, System.err);
    }

    /** Starts the launcher where its ports are free and waits for "demo: ready"; returns the port offset. */
    private int start() throws Exception {
        return start(DemoPorts.freeOffset());
    }

    private int start(int offset) throws Exception {
        CompletableFuture<Void> isReady = launch(offset);
        isReady.get(180, TimeUnit.SECONDS);
        return offset;
    }

    /** Starts the launcher with this port offset; completes once it printed "demo: ready". */
    private CompletableFuture<Void> launch(int offset) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        demo = new ProcessBuilder(java, "-Dproductapp.root=" + ROOT, "-jar", LAUNCHER.toString(),
                "--port-offset", Integer.toString(offset))
                .redirectErrorStream(true)
                .start();
        CompletableFuture<Void> isReady = new CompletableFuture<>();
        ready = isReady;
        Process launched = demo;
        Thread reader = new Thread(() -> relay(launched, isReady), "demo-output");
        reader.setDaemon(true);
        reader.start();
        return isReady;
    }

    private void relay(Process demo, CompletableFuture<Void> ready) {
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


}
