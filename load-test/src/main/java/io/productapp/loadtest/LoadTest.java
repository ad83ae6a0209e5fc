package io.productapp.loadtest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Predicate;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * The engine, usable from tests: {@code Report report = LoadTest.run(plan, window -> ...)}.
 * Requests go out from Vert.x event loops ({@link Sender}s, each with its own keep-alive
 * connection pool and {@link Stats}); a reporter thread drains them once per window
 * ({@link Collector}), and into the report at the end.
 */
public final class LoadTest {

    /** After the end, in-flight requests get at most this long (or the request timeout, if shorter). */
    static final Duration DRAIN = Duration.ofSeconds(10);

    private LoadTest() {
    }

    public static Report run(LoadPlan plan, Consumer<Window> onWindow) {
        return run(plan, onWindow, window -> false);
    }

    /**
     * As {@link #run(LoadPlan, Consumer)}, but the run also ends, before its duration, after the
     * first window that {@code enough} accepts: no new request goes out, those in flight complete
     * and are reported.
     */
    public static Report run(LoadPlan plan, Consumer<Window> onWindow, Predicate<Window> enough) {
        int loops = Sender.count(plan, Runtime.getRuntime().availableProcessors());
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(false));
        waitUntil(plan.startAt()); // Vert.x is up: what is left to do before the first send takes milliseconds
        ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "loadtest-reporter");
            t.setDaemon(true);
            return t;
        });
        long start = System.nanoTime();
        long measureFrom = start + plan.warmup().toNanos();
        Instant measuredFrom = Instant.now().plusNanos(plan.warmup().toNanos());
        List<Stats> stats = new ArrayList<>();
        for (int i = 0; i < loops; i++) {
            stats.add(new Stats(measureFrom));
        }
        Collector collector = new Collector(stats);
        long windowNanos = plan.window().toNanos();
        AtomicBoolean halt = new AtomicBoolean();
        reporter.scheduleAtFixedRate(() -> {
            Window window = collector.drain(System.nanoTime() - measureFrom);
            onWindow.accept(window);
            if (!halt.get() && enough.test(window)) {
                halt.set(true);
            }
        }, plan.warmup().toNanos() + windowNanos, windowNanos, TimeUnit.NANOSECONDS);
        CompletableFuture<Void> done = new CompletableFuture<>();
        AtomicInteger running = new AtomicInteger(loops);
        try {
            AtomicInteger next = new AtomicInteger();
            vertx.deployVerticle(() -> {
                int index = next.getAndIncrement();
                return new Sender(plan, stats.get(index), index, loops, start, running, done, halt);
            }, new DeploymentOptions().setInstances(loops)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            long limit = plan.duration() == null ? Long.MAX_VALUE
                    : plan.duration().plus(plan.warmup()).plus(DRAIN).toMillis() + 5000;
            try {
                done.get(limit, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // bounded shutdown: report what was measured
            }
        } catch (Exception e) {
            throw new IllegalStateException("the run could not start: " + e.getMessage(), e);
        } finally {
            reporter.shutdownNow();
            vertx.close().toCompletionStage().toCompletableFuture().completeOnTimeout(null, 5, TimeUnit.SECONDS).join();
        }
        long lastEnd = stats.stream().mapToLong(st -> st.lastEnd).max().orElse(0);
        double elapsed = Math.max(1e-9, (lastEnd > 0 ? lastEnd - measureFrom : System.nanoTime() - measureFrom) / 1e9);
        Window last = collector.drain(System.nanoTime() - measureFrom);
        if (last.requests() > 0) {
            onWindow.accept(last);
        }
        return collector.report(plan, elapsed, measuredFrom);
    }

    /** Workers started apart send together: each waits for the common start instant (none: at once; passed: at once). */
    private static void waitUntil(Instant startAt) {
        if (startAt == null) {
            return;
        }
        for (long left = Duration.between(Instant.now(), startAt).toNanos(); left > 0;
                left = Duration.between(Instant.now(), startAt).toNanos()) {
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            LockSupport.parkNanos(left);
        }
    }
}
