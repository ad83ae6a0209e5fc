package io.productapp.mesh.launch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A running service: a {@code java -jar} child process bound to 127.0.0.1. Its output is
 * relayed line by line with the service name in front; the line Quarkus prints once the HTTP
 * server listens completes {@link #listening()}, so nobody polls or sleeps to learn it.
 */
public final class ServiceProcess implements AutoCloseable {

    /** How long a service may take to stop after SIGTERM before it is killed. */
    static final long STOP_GRACE_MILLIS = 10_000;

    /** Printed by Quarkus when the HTTP server is bound: "... started in 0.9s. Listening on: http://..." */
    static final String LISTENING_MARKER = "Listening on: ";
    private static final int TAIL_LINES = 30;

    static final String CDS_ARCHIVE = "app-cds.jsa";

    private final ServiceSpec spec;
    private final Process process;
    private final CompletableFuture<Void> listening = new CompletableFuture<>();
    private final Deque<String> tail = new ArrayDeque<>();
    private volatile boolean stopRequested;

    private ServiceProcess(ServiceSpec spec, Process process, Consumer<String> output) {
        this.spec = spec;
        this.process = process;
        Thread relay = new Thread(() -> relay(output), spec.name() + "-output");
        relay.setDaemon(true);
        relay.start();
        process.onExit().thenRun(() -> listening.completeExceptionally(new IllegalStateException(
                spec.name() + " exited with code " + process.exitValue() + " before it was listening")));
    }

    /** Starts the service; {@code output} receives each line already prefixed with the service name. */
    public static ServiceProcess start(ServiceSpec spec, Consumer<String> output) throws IOException {
        if (!Files.isRegularFile(spec.app())) {
            throw new IOException(spec.name() + ": " + spec.app() + " does not exist; build it with ./mvnw package -DskipTests");
        }
        ProcessBuilder builder = new ProcessBuilder(command(spec, ProcessHandle.current().info().command().orElse("java")))
                .directory(spec.app().toAbsolutePath().getParent().toFile())
                .redirectErrorStream(true);
        // glibc gives each busy thread its own malloc arena; two are plenty for a service that
        // shares a laptop, and keep its RSS about 10 MB lower (bench/services.sh does the same).
        builder.environment().putIfAbsent("MALLOC_ARENA_MAX", "2");
        builder.environment().putAll(spec.env());
        return new ServiceProcess(spec, builder.start(), output);
    }

    /**
     * {@code java [options] -jar quarkus-run.jar}, run from the application's directory: the
     * class-data-sharing archive the build made there ({@value #CDS_ARCHIVE}) is used when it
     * exists, and it only matches the jar named relative to that directory.
     */
    static List<String> command(ServiceSpec spec, String java) {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(spec.jvmOptions());
        if (Files.isRegularFile(spec.app().resolveSibling(CDS_ARCHIVE))) {
            command.add("-XX:SharedArchiveFile=" + CDS_ARCHIVE);
        }
        command.add("-Dquarkus.http.host=127.0.0.1");
        command.add("-Dquarkus.http.port=" + spec.port());
        command.add("-Dquarkus.banner.enabled=false");
        command.add("-jar");
        command.add(spec.app().getFileName().toString());
        return command;
    }

    private void relay(Consumer<String> output) {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (tail) {
                    if (tail.size() == TAIL_LINES) {
                        tail.removeFirst();
                    }
                    tail.addLast(line);
                }
                output.accept("[" + spec.name() + "] " + line);
                if (line.contains(LISTENING_MARKER)) {
                    listening.complete(null);
                }
            }
        } catch (IOException e) {
            // the process is gone; onExit reports it
        }
    }

    public ServiceSpec spec() {
        return spec;
    }

    /** Completes when the HTTP server listens; fails if the process exits first. */
    public CompletableFuture<Void> listening() {
        return listening;
    }

    public CompletableFuture<ServiceProcess> onExit() {
        return process.onExit().thenApply(p -> this);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public int exitCode() {
        return process.exitValue();
    }

    public long pid() {
        return process.pid();
    }

    /** The last lines the service printed, to explain a failure. */
    public List<String> tail() {
        synchronized (tail) {
            return List.copyOf(tail);
        }
    }

    /** Whether {@link #stop} was called: the process did not end on its own. */
    public boolean stopRequested() {
        return stopRequested;
    }

    /** SIGTERM, without waiting. */
    public void terminate() {
        stopRequested = true;
        process.destroy();
    }

    /** SIGKILL, without waiting. */
    public void kill() {
        stopRequested = true;
        process.destroyForcibly();
    }

    /** Stops it with the usual grace period. */
    @Override
    public void close() {
        stop(STOP_GRACE_MILLIS);
    }

    /** SIGTERM (Quarkus shuts down gracefully), then SIGKILL if it has not gone within the grace period. */
    public void stop(long graceMillis) {
        stopRequested = true;
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(graceMillis, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
