package io.productapp.loadtest;

import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.HdrHistogram.Histogram;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * The engine, usable from tests: {@code Report report = LoadTest.run(plan, window -> ...)}.
 * Requests go out from Vert.x event loops (one sender per loop, each with its own keep-alive
 * connection pool); a reporter thread drains the statistics once per window.
 */
public final class LoadTest {

    /** A send that leaves more than this after its scheduled time counts as behind schedule. */
    static final long BEHIND_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** After the end, in-flight requests get at most this long (or the request timeout, if shorter). */
    static final Duration DRAIN = Duration.ofSeconds(10);

    private LoadTest() {
    }

    public static Report run(LoadPlan plan, Consumer<Window> onWindow) {
        // One sender per event loop, but never more senders than users or connections: each owns
        // at least one, so --max-connections 1 really means one connection.
        int owners = plan.model() instanceof LoadPlan.Closed c ? c.users() : ((LoadPlan.Open) plan.model()).maxConnections();
        int loops = Math.max(1, Math.min(Math.min(Runtime.getRuntime().availableProcessors(), 4), owners));
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(false));
        List<Stats> stats = new ArrayList<>();
        ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "loadtest-reporter");
            t.setDaemon(true);
            return t;
        });
        long start = System.nanoTime();
        long measureFrom = start + plan.warmup().toNanos();
        java.time.Instant measuredFrom = java.time.Instant.now().plusNanos(plan.warmup().toNanos());
        for (int i = 0; i < loops; i++) {
            Stats sender = new Stats();
            sender.measureFrom = measureFrom;
            stats.add(sender);
        }
        Collector collector = new Collector(stats);
        long windowNanos = plan.window().toNanos();
        reporter.scheduleAtFixedRate(() -> onWindow.accept(collector.drain(System.nanoTime() - measureFrom)),
                plan.warmup().toNanos() + windowNanos, windowNanos, TimeUnit.NANOSECONDS);
        CompletableFuture<Void> done = new CompletableFuture<>();
        AtomicInteger running = new AtomicInteger(loops);
        try {
            AtomicInteger next = new AtomicInteger();
            vertx.deployVerticle(() -> {
                int index = next.getAndIncrement();
                return new Sender(plan, stats.get(index), index, start, loops, running, done);
            },
                    new DeploymentOptions().setInstances(loops)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            long limit = plan.duration() == null ? Long.MAX_VALUE
                    : plan.duration().plus(plan.warmup()).plus(DRAIN).toMillis() + 5000;
            try {
                done.get(limit, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
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

    /**
     * The kind of a transport failure, as the report names it, by the types in its cause chain:
     * a connect timeout, a refused connection, an unknown host, no route to it, a timeout, a connection reset or
     * closed before the answer; anything else by its own class name.
     */
    static String errorKind(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof io.netty.channel.ConnectTimeoutException) {
                return "connect timeout";
            }
            if (t instanceof ConnectException) {
                return "connect refused";
            }
            if (t instanceof UnknownHostException) {
                return "unknown host";
            }
            if (t instanceof java.net.NoRouteToHostException) {
                return "no route to host";
            }
            if (t instanceof java.util.concurrent.TimeoutException || t instanceof java.net.SocketTimeoutException
                    || t instanceof io.netty.handler.timeout.TimeoutException) {
                return "timeout";
            }
            if (t instanceof io.vertx.core.http.HttpClosedException || t instanceof java.net.SocketException) {
                return "reset";
            }
        }
        return failure.getClass().getSimpleName();
    }

    /** One per event loop: its users (closed) or its share of the arrival rate (open). */
    private static final class Sender extends AbstractVerticle {
        private final LoadPlan plan;
        private final Stats stats;
        private final long start;
        private final int senders;
        private final AtomicInteger running;
        private final CompletableFuture<Void> done;
        private final List<RequestOptions> requests = new ArrayList<>();
        private final String splitHeader;
        private final boolean needsBody;
        private HttpClient client;
        private SplittableRandom random;
        private final int index;
        private boolean stopping;
        private int active;

        Sender(LoadPlan plan, Stats stats, int index, long start, int senders, AtomicInteger running,
                CompletableFuture<Void> done) {
            this.plan = plan;
            this.stats = stats;
            this.index = index;
            this.start = start;
            this.senders = senders;
            this.running = running;
            this.done = done;
            this.splitHeader = plan.split() instanceof SplitRule.Header h ? h.name() : null;
            this.needsBody = plan.split().needsBody();
        }

        @Override
        public void start() {
            random = new SplittableRandom(plan.seed() + index);
            int pool = plan.model() instanceof LoadPlan.Closed c
                    ? Math.max(1, share(c.users()))
                    : Math.max(1, share(((LoadPlan.Open) plan.model()).maxConnections()));
            long timeout = plan.requestTimeout().toMillis();
            client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                    .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout)), new PoolOptions().setHttp1MaxSize(pool));
            for (URI target : plan.targets()) {
                RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(target.toString())
                        .setIdleTimeout(timeout);
                plan.headers().forEach(options::addHeader);
                requests.add(options);
            }
            if (plan.duration() != null) {
                long remaining = Math.max(1, plan.duration().toMillis() - (System.nanoTime() - start) / 1_000_000);
                vertx.setTimer(remaining, id -> stopping = true);
            }
            if (plan.model() instanceof LoadPlan.Closed closed) {
                startUsers(closed);
            } else {
                startSchedule((LoadPlan.Open) plan.model());
            }
        }

        /** This sender's part of n (users or connections), spread evenly. */
        private int share(int n) {
            return n / senders + (index < n % senders ? 1 : 0);
        }

        private void startUsers(LoadPlan.Closed closed) {
            int users = share(closed.users());
            active = users;
            if (users == 0) {
                finish();
                return;
            }
            for (int u = 0; u < users; u++) {
                int[] user = { u, 0 }; // target cursor, requests done
                sendClosed(closed, user);
            }
        }

        private void sendClosed(LoadPlan.Closed closed, int[] user) {
            if (stopping || (closed.repetitions() > 0 && user[1] >= closed.repetitions())) {
                if (--active == 0) {
                    finish();
                }
                return;
            }
            RequestOptions options = requests.get(user[0]++ % requests.size());
            user[1]++;
            long sent = System.nanoTime();
            send(options, sent, () -> {
                long pause = closed.maxDelay().toMillis();
                if (pause > 0) {
                    vertx.setTimer(Math.max(1, random.nextLong(pause + 1)), id -> sendClosed(closed, user));
                } else {
                    sendClosed(closed, user);
                }
            });
        }

        private void startSchedule(LoadPlan.Open open) {
            RateProfile.Schedule schedule = open.profile().schedule(1.0 / senders);
            long[] next = { schedule.next() };
            int[] cursor = { index };
            if (next[0] < 0) {
                finish();
                return;
            }
            vertx.setPeriodic(1, id -> {
                long now = System.nanoTime() - start;
                while (next[0] >= 0 && next[0] <= now && !stopping) {
                    if (now - next[0] > BEHIND_NANOS) {
                        stats.behindSchedule.increment();
                    }
                    active++;
                    send(requests.get(cursor[0]++ % requests.size()), start + next[0], () -> {
                        if (--active == 0 && (next[0] < 0 || stopping)) {
                            finish();
                        }
                    });
                    next[0] = schedule.next();
                }
                if (next[0] < 0 || stopping) {
                    vertx.cancelTimer(id);
                    next[0] = -1;
                    if (active == 0) {
                        finish();
                    }
                }
            });
        }

        /** Sends one request; latency counts from {@code intended}; {@code then} runs on this loop after it is recorded. */
        private void send(RequestOptions options, long intended, Runnable then) {
            stats.inFlight.increment();
            long[] actual = { System.nanoTime() };
            client.request(options)
                    .compose(request -> {
                        actual[0] = System.nanoTime();
                        return request.send();
                    })
                    .compose(response -> response.body().map(body -> {
                        record(response, body, intended, actual[0]);
                        return null;
                    }))
                    .onComplete(result -> {
                        stats.inFlight.decrement();
                        if (result.failed()) {
                            long end = System.nanoTime();
                            if (stats.measuring(end)) {
                                stats.lastEnd = end;
                                stats.failure(errorKind(result.cause()), end - intended, end - actual[0]);
                            }
                        }
                        then.run();
                    });
        }

        private void record(HttpClientResponse response, Buffer body, long intended, long actual) {
            long end = System.nanoTime();
            if (!stats.measuring(end)) {
                return;
            }
            stats.lastEnd = end;
            String bucket = plan.split().bucket(splitHeader == null ? null : response.getHeader(splitHeader),
                    needsBody ? body.getBytes() : null);
            stats.response(bucket, response.statusCode(), end - intended, end - actual, body.length());
        }

        private void finish() {
            if (running.decrementAndGet() == 0) {
                done.complete(null);
            }
        }
    }

    /** Drains every sender's {@link Stats} into windows and, at the end, into the {@link Report}. */
    private static final class Collector {
        private final List<Stats> senders;
        private final Histogram corrected = new Histogram(Stats.HIGHEST_MICROS, Stats.DIGITS);
        private final Histogram uncorrected = new Histogram(Stats.HIGHEST_MICROS, Stats.DIGITS);
        private final Map<String, Histogram> bucketLatency = new TreeMap<>();
        private final List<Window> windows = new ArrayList<>();
        private final Map<String, Long> seen = new TreeMap<>();
        private long seenRequests;
        private long seenErrors;
        private double lastSeconds;

        Collector(List<Stats> senders) {
            this.senders = senders;
        }

        synchronized Window drain(long nanosSinceStart) {
            double now = nanosSinceStart / 1e9;
            Histogram interval = new Histogram(Stats.HIGHEST_MICROS, Stats.DIGITS);
            Map<String, Long> counts = new TreeMap<>();
            long requests = 0;
            long errors = 0;
            long inFlight = 0;
            for (Stats stats : senders) {
                interval.add(stats.corrected.getIntervalHistogram());
                uncorrected.add(stats.uncorrected.getIntervalHistogram());
                stats.buckets.forEach((name, bucket) -> {
                    bucketLatency.computeIfAbsent(name, k -> new Histogram(Stats.HIGHEST_MICROS, Stats.DIGITS))
                            .add(bucket.latency.getIntervalHistogram());
                    counts.merge(name, bucket.count.sum(), Long::sum);
                });
                requests += stats.requests.sum();
                errors += stats.transportErrors() + stats.serverErrors();
                inFlight += stats.inFlight.sum();
            }
            corrected.add(interval);
            Map<String, Long> split = new TreeMap<>();
            counts.forEach((name, count) -> {
                long delta = count - seen.getOrDefault(name, 0L);
                seen.put(name, count);
                if (delta > 0) {
                    split.put(name, delta);
                }
            });
            Window window = new Window(lastSeconds, now - lastSeconds, requests - seenRequests, errors - seenErrors,
                    Report.ms(interval.getValueAtPercentile(50)), Report.ms(interval.getValueAtPercentile(99)),
                    Report.ms(interval.getMaxValue()),
                    inFlight, split, Histograms.encode(interval));
            seenRequests = requests;
            seenErrors = errors;
            lastSeconds = now;
            windows.add(window);
            return window;
        }

        synchronized Report report(LoadPlan plan, double elapsed, java.time.Instant measuredFrom) {
            Map<Integer, Long> statuses = new TreeMap<>();
            Map<String, Long> errors = new TreeMap<>();
            Map<String, long[]> buckets = new TreeMap<>(); // count, 5xx
            long requests = 0;
            long transportErrors = 0;
            long serverErrors = 0;
            long bytes = 0;
            long behind = 0;
            for (Stats stats : senders) {
                stats.statuses.forEach((k, v) -> statuses.merge(k, v.sum(), Long::sum));
                stats.errors.forEach((k, v) -> errors.merge(k, v.sum(), Long::sum));
                stats.buckets.forEach((name, b) -> {
                    long[] totals = buckets.computeIfAbsent(name, k -> new long[2]);
                    totals[0] += b.count.sum();
                    totals[1] += b.errors.sum();
                });
                requests += stats.requests.sum();
                transportErrors += stats.transportErrors();
                serverErrors += stats.serverErrors();
                bytes += stats.bytes.sum();
                behind += stats.behindSchedule.sum();
            }
            long answered = buckets.values().stream().mapToLong(t -> t[0]).sum();
            Map<String, Report.Share> split = new LinkedHashMap<>();
            buckets.forEach((name, totals) -> split.put(name, Report.Share.of(totals[0], answered, totals[1], bucketLatency.get(name))));
            double concurrency = Report.concurrency(corrected, elapsed);
            String model;
            if (plan.model() instanceof LoadPlan.Closed c) {
                model = "closed: " + c.users() + " users"
                        + (c.maxDelay().isZero() ? ", no delay" : ", random delay 0-" + c.maxDelay().toMillis() / 1000.0 + " s")
                        + (c.repetitions() > 0 ? ", " + c.repetitions() + " requests each" : "");
            } else {
                LoadPlan.Open o = (LoadPlan.Open) plan.model();
                model = "open: " + describe(o.profile()) + ", up to " + o.maxConnections() + " connections";
            }
            return new Report(model, plan.targets().stream().map(URI::toString).toList(), plan.split().describe(), elapsed,
                    requests, transportErrors, serverErrors, bytes, behind, statuses, errors, Report.Latency.of(corrected),
                    Report.Latency.of(uncorrected), concurrency, split, List.copyOf(windows), measuredFrom.toString(), histograms());
        }

        private Histograms histograms() {
            Map<String, String> split = new TreeMap<>();
            bucketLatency.forEach((name, histogram) -> split.put(name, Histograms.encode(histogram)));
            return new Histograms(Histograms.ENCODING, Histograms.encode(corrected), Histograms.encode(uncorrected), split);
        }

        private static String describe(RateProfile profile) {
            List<String> parts = new ArrayList<>();
            for (RateProfile.Stage stage : profile.stages()) {
                parts.add(stage.startRate() == stage.endRate()
                        ? fmt(stage.startRate()) + "/s for " + stage.length().toMillis() / 1000.0 + " s"
                        : "ramp " + fmt(stage.startRate()) + "-" + fmt(stage.endRate()) + "/s over " + stage.length().toMillis() / 1000.0 + " s");
            }
            return String.join(", then ", parts);
        }

        private static String fmt(double rate) {
            return rate == Math.rint(rate) ? String.valueOf((long) rate) : String.valueOf(rate);
        }

    }

}
