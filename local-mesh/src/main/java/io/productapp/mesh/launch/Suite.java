package io.productapp.mesh.launch;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Several services started together and stopped together. {@link #start} returns once every
 * service listens and answers its ready path, or stops what it started and explains why not.
 */
public final class Suite implements AutoCloseable {

    private final List<ServiceProcess> services;
    private final Teardown teardown;
    private final CompletableFuture<ServiceProcess> unexpectedExit = new CompletableFuture<>();

    private Suite(List<ServiceProcess> services, Teardown teardown) {
        this.services = services;
        this.teardown = teardown;
    }

    /** Watches a started service: its exit is unexpected unless the suite stopped it. */
    private ServiceProcess watch(ServiceProcess service) {
        service.onExit().thenAccept(exited -> {
            if (!exited.stopRequested()) {
                unexpectedExit.complete(exited);
            }
        });
        return service;
    }

    /** Starts the services in order; returns once every one is ready. */
    public static Suite start(List<ServiceSpec> specs, Consumer<String> output, Duration timeout) throws SuiteException {
        return start(specs, output, timeout, new Teardown());
    }

    /**
     * Starts the services in order, each added to {@code teardown} as soon as it runs, so that a
     * stop during start-up stops them; returns once every one is ready.
     */
    public static Suite start(List<ServiceSpec> specs, Consumer<String> output, Duration timeout, Teardown teardown)
            throws SuiteException {
        for (ServiceSpec spec : specs) {
            requireFreePort(spec.name(), spec.port());
        }
        List<ServiceProcess> started = new ArrayList<>();
        Suite suite = new Suite(started, teardown);
        try {
            for (ServiceSpec spec : specs) {
                if (teardown.isDone()) {
                    throw new SuiteException("stopped while starting");
                }
                ServiceProcess service = ServiceProcess.start(spec, output);
                teardown.add(service);
                started.add(suite.watch(service));
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            for (ServiceProcess service : started) {
                awaitReady(service, deadline);
            }
            return suite;
        } catch (IOException | SuiteException | RuntimeException e) {
            suite.close();
            throw e instanceof SuiteException se ? se : new SuiteException(e.getMessage(), e);
        } catch (InterruptedException e) {
            suite.close();
            Thread.currentThread().interrupt();
            throw new SuiteException("interrupted while starting", e);
        }
    }

    /** Fails naming the port and what it was for when something listens on it already. */
    static void requireFreePort(String name, int port) throws SuiteException {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            probe.setReuseAddress(true);
        } catch (IOException e) {
            throw new SuiteException("port " + port + " on 127.0.0.1 (for " + name
                    + ") is in use: stop whatever holds it, or pass --port-offset N", e);
        }
    }

    private static void awaitReady(ServiceProcess service, long deadline) throws SuiteException, InterruptedException {
        awaitListening(service, deadline);
        requireReady(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build(), service, deadline);
    }

    /**
     * Stops the service named {@code name} and starts {@code spec} in its place (as a Deployment
     * rolls its pod); returns once the new one is ready.
     */
    public synchronized ServiceProcess replace(String name, ServiceSpec spec, Consumer<String> output, Duration timeout)
            throws SuiteException {
        ServiceProcess old = service(name);
        old.close();
        teardown.remove(old);
        try {
            ServiceProcess started = watch(ServiceProcess.start(spec, output));
            teardown.add(started);
            services.set(services.indexOf(old), started);
            awaitReady(started, System.nanoTime() + timeout.toNanos());
            return started;
        } catch (IOException e) {
            throw new SuiteException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SuiteException("interrupted while restarting " + name, e);
        }
    }

    private static void awaitListening(ServiceProcess service, long deadline) throws SuiteException, InterruptedException {
        try {
            service.listening().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new SuiteException(e.getCause().getMessage() + lastLines(service), e.getCause());
        } catch (TimeoutException e) {
            throw new SuiteException(service.spec().name() + " did not start listening in time" + lastLines(service), e);
        }
    }

    /**
     * Polls the ready path until it answers 200 (a service warms itself up before it does), the
     * process exits, or the deadline passes; the last answer explains a failure.
     */
    private static void requireReady(HttpClient http, ServiceProcess service, long deadline) throws SuiteException, InterruptedException {
        ServiceSpec spec = service.spec();
        HttpRequest ready = HttpRequest.newBuilder(spec.url(spec.readyPath())).timeout(Duration.ofSeconds(5)).build();
        while (true) {
            HttpResponse<String> response;
            try {
                response = http.send(ready, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new SuiteException(spec.name() + " is listening but " + spec.readyPath() + " failed: " + e, e);
            }
            if (response.statusCode() == 200) {
                return;
            }
            if (!service.isAlive() || System.nanoTime() >= deadline) {
                throw new SuiteException(spec.name() + " is listening but " + spec.readyPath() + " answered "
                        + response.statusCode() + (service.isAlive() ? " until the time was up" : " before it exited") + ": "
                        + response.body());
            }
            Thread.sleep(100);
        }
    }

    private static String lastLines(ServiceProcess service) {
        List<String> tail = service.tail();
        return tail.isEmpty() ? "" : "; its last lines:\n  " + String.join("\n  ", tail);
    }

    public synchronized List<ServiceProcess> services() {
        return List.copyOf(services);
    }

    public synchronized ServiceProcess service(String name) {
        return services.stream().filter(s -> s.spec().name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service " + name));
    }

    /** Completes with the first service that exits without the suite stopping it. */
    public CompletableFuture<ServiceProcess> anyExit() {
        return unexpectedExit;
    }

    /** Stops every service, callers first (reverse start order), each with a grace period. */
    @Override
    public void close() {
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).close();
        }
    }

    public static final class SuiteException extends Exception {
        public SuiteException(String message) {
            super(message);
        }

        public SuiteException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
