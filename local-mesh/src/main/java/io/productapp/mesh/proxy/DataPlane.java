package io.productapp.mesh.proxy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.netty.channel.EventLoop;
import io.productapp.mesh.model.MeshConfig;
import io.productapp.mesh.route.Endpoint;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.impl.VertxInternal;

/**
 * The local mesh's data plane: every proxy (one outbound sidecar per workload instance, and the
 * ingress gateway) on one Vert.x, the configuration in force, the endpoints that are up, and the
 * counters. A new configuration takes effect for requests that start after it is set.
 */
public final class DataPlane implements AutoCloseable {

    private final Vertx vertx;
    private final Path logDirectory;
    private final TrafficStats stats = new TrafficStats();
    private final TrafficWindow traffic = new TrafficWindow();
    private final List<Proxy> proxies = new CopyOnWriteArrayList<>();
    private final SplittableRandom seeds;
    private final ScheduledExecutorService flusher;
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    /** Tries and mirrored copies on their way to each endpoint, by endpoint name. */
    private final java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> toEndpoint = new java.util.concurrent.ConcurrentHashMap<>();
    /** The proxies' event loops. */
    private final List<EventLoop> loops;
    private volatile Snapshot snapshot;
    private volatile List<Endpoint> endpoints = List.of();

    /**
     * @param config the configuration in force at start
     * @param logDirectory where each proxy writes its access log ({@code <proxy>.log})
     * @param seed seeds every proxy's random choices (weights, fault and mirror percentages, load
     *        balancing), so that a run can be repeated
     * @param eventLoops Vert.x event loops the proxies share (Envoy's workers); each proxy runs on one
     */
    public DataPlane(MeshConfig config, Path logDirectory, long seed, int eventLoops) {
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops).setPreferNativeTransport(true)
                .setWorkerPoolSize(2).setInternalBlockingPoolSize(2));
        List<EventLoop> all = new ArrayList<>();
        vertx.nettyEventLoopGroup().forEach(executor -> all.add((EventLoop) executor));
        this.loops = List.copyOf(all);
        this.logDirectory = logDirectory;
        this.seeds = new SplittableRandom(seed);
        this.snapshot = Snapshot.of(config);
        this.flusher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "access-log");
            thread.setDaemon(true);
            return thread;
        });
        flusher.scheduleWithFixedDelay(this::flush, 200, 200, TimeUnit.MILLISECONDS);
        flusher.scheduleAtFixedRate(traffic::tick, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * How many event loops the proxies share on a machine of {@code cores}: half of them, at least
     * one. The proxies share the machine with the services they front, as a sidecar's concurrency
     * is bounded by its own CPU limit; and every proxy here is in one process, so a loop that has
     * the cores to itself gains nothing from a second. On two cores that means one loop: measured
     * with the page at saturation, one loop took 11-17 % less of the launcher's CPU per page than
     * two (fewer sleeps and wake-ups per request), and the page was served no slower.
     */
    public static int eventLoopsFor(int cores) {
        return Math.max(1, cores / 2);
    }

    /** Puts a new configuration in force. */
    public void configure(MeshConfig config) {
        this.snapshot = Snapshot.of(config);
    }

    public MeshConfig config() {
        return snapshot.config();
    }

    Snapshot snapshot() {
        return snapshot;
    }

    /** The workload instances that are up, as endpoints of the Services that select them. */
    public void endpoints(List<Endpoint> up) {
        this.endpoints = List.copyOf(up);
    }

    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /** A request (or a mirrored copy) entered a proxy. */
    void started() {
        inFlight.incrementAndGet();
    }

    /** ... and completed. */
    void ended() {
        inFlight.decrementAndGet();
    }

    /** The counter of what is on its way to {@code endpoint} (a proxy keeps it for its tries). */
    java.util.concurrent.atomic.AtomicInteger load(String endpoint) {
        return toEndpoint.computeIfAbsent(endpoint, e -> new java.util.concurrent.atomic.AtomicInteger());
    }

    /** Tries and mirrored copies still on their way to {@code endpoint}: a terminating pod waits for them before its SIGTERM. */
    public int inFlightTo(String endpoint) {
        java.util.concurrent.atomic.AtomicInteger load = toEndpoint.get(endpoint);
        return load == null ? 0 : load.get();
    }

    /**
     * Waits up to {@code timeout} until no request and no mirrored copy is in any proxy, so that
     * counters read next hold every request sent before; returns whether that happened.
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inFlight.get() > 0) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    public TrafficStats stats() {
        return stats;
    }

    /** The traffic view's window: edges over the last seconds, made once a second. */
    public TrafficWindow traffic() {
        return traffic;
    }

    public List<Proxy> proxies() {
        return List.copyOf(proxies);
    }

    public Path logDirectory() {
        return logDirectory;
    }

    /**
     * Starts a proxy listening on {@code port} of 127.0.0.1 (0: a free one), on the event loop that
     * serves the fewest proxies; returns once it listens. One start at a time, so that each counts
     * the proxies started before it.
     */
    public synchronized Proxy start(Proxy.Identity identity, int port) throws ProxyStartException {
        String file = identity.label().replace(' ', '-') + ".log";
        int loop = leastUsedLoop();
        // A context of its own on that loop. Vert.x's getOrCreateContext() would not do: called from
        // a thread outside Vert.x it hands that thread the same context every time, so every proxy
        // the kubelet starts would share one loop.
        Context context = ((VertxInternal) vertx).createEventLoopContext(loops.get(loop), null,
                Thread.currentThread().getContextClassLoader());
        Proxy proxy = new Proxy(identity, this, context, loop, new AccessLog(logDirectory.resolve(file)), seeds.nextLong());
        CompletableFuture<Integer> listening = new CompletableFuture<>();
        context.runOnContext(v -> proxy.listen(port).onComplete(result -> {
            if (result.succeeded()) {
                listening.complete(result.result());
            } else {
                listening.completeExceptionally(result.cause());
            }
        }));
        try {
            listening.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new ProxyStartException(identity.label() + " could not listen on 127.0.0.1:" + port + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new ProxyStartException(identity.label() + " did not start listening", e);
        }
        proxies.add(proxy);
        return proxy;
    }

    /** The event loop the fewest running proxies run on (the first of them on a tie). */
    private int leastUsedLoop() {
        int[] serving = new int[loops.size()];
        proxies.forEach(proxy -> serving[proxy.eventLoop()]++);
        int least = 0;
        for (int i = 1; i < serving.length; i++) {
            if (serving[i] < serving[least]) {
                least = i;
            }
        }
        return least;
    }

    /** Stops one proxy (a pod's sidecar, when its pod has gone); what its access log holds is written. */
    public void stop(Proxy proxy) {
        proxies.remove(proxy);
        try {
            proxy.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // closing anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        proxy.accessLog().close();
    }

    private void flush() {
        for (Proxy proxy : proxies) {
            try {
                proxy.accessLog().flush();
            } catch (RuntimeException e) {
                System.err.println("mesh: " + e.getMessage());
            }
        }
    }

    /** Stops every proxy and the Vert.x they run on, and writes what the access logs still hold. */
    @Override
    public void close() {
        List<Future<Void>> closing = proxies.stream().map(Proxy::close).toList();
        try {
            Future.join(closing).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // closing anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flusher.shutdown();
        proxies.forEach(p -> p.accessLog().close());
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // the process ends soon
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A proxy could not start (its port is taken, most often). */
    public static final class ProxyStartException extends Exception {
        public ProxyStartException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
