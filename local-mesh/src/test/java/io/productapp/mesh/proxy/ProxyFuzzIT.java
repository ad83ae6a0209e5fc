package io.productapp.mesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.productapp.mesh.proxy.HostileRequests.Accept;
import io.productapp.mesh.proxy.HostileRequests.H2;
import io.productapp.mesh.proxy.HostileRequests.H2Stream;
import io.productapp.mesh.proxy.HostileRequests.Item;
import io.productapp.mesh.proxy.HostileRequests.Plan;
import io.productapp.mesh.proxy.HostileRequests.Target;
import io.productapp.mesh.route.Endpoint;
import io.vertx.core.http.HttpServerRequest;

/**
 * Bad input at the proxies: a seeded, bounded fuzzer sends at least 100,000 malformed or hostile
 * requests over raw sockets on 127.0.0.1 to a real ingress gateway and a real sidecar (the
 * chart's configuration, stand-ins for the services), in the categories of
 * {@link HostileRequests}, pipelined where HTTP/1.1 allows, several workers at a time, with a few
 * slowloris connections trickling beside them. Each request gets an outcome its category accepts
 * — a well-formed 4xx/5xx from the proxy itself, a closed connection, or for valid requests a 2xx
 * from a stand-in that saw exactly what was sent — never a hang, never a 2xx for what the proxy
 * must refuse; no stand-in ever receives a request that was refused or hidden in another's body.
 * <p>
 * Afterwards: every request the proxies began has ended; normal requests through both proxies are
 * answered right; the heap after GC and the open descriptors are back where they were after the
 * warm-up; no exception from the proxies' code reached Vert.x.
 * <p>
 * {@code -Dfuzz.seed=N} replays another run ({@code -Dfuzz.requests}, {@code -Dfuzz.workers},
 * {@code -Dfuzz.seconds}, {@code -Dfuzz.slowloris} change its size). The time budget stops the
 * sending early on a machine too slow for it, which the report says; it is no assertion on speed.
 */
class ProxyFuzzIT {

    static final long SEED = Long.getLong("fuzz.seed", 20261205L);
    static final int REQUESTS = Integer.getInteger("fuzz.requests", 100_000);
    static final int WORKERS = Integer.getInteger("fuzz.workers", 8);
    static final int SLOWLORIS = Integer.getInteger("fuzz.slowloris", 24);
    static final Duration BUDGET = Duration.ofSeconds(Long.getLong("fuzz.seconds", 240));
    /** No answer and no close within this: a hang. Only a hang comes near it. */
    static final int HANG_MILLIS = Integer.getInteger("fuzz.hangSeconds", 30) * 1000;
    /** A connection longer than this is cut by a watchdog (it covers a write that never returns). */
    static final int SESSION_MILLIS = 90_000;
    /**
     * The heap after GC may differ from the baseline by this much. What stays after the run, bounded:
     * the router's caches fill with the fuzz's made-up hosts and ports up to their 4,096 entries
     * (authorities of 259 characters at most: about 1.3 MB), the traffic window's histograms widen
     * to the longest latency seen (about 0.6 MB), a few classes load: +2.8 MiB after 100,000
     * requests with the default seed (the class histograms before and after are written to
     * target/). One object of 64 bytes kept per request sent would exceed it.
     */
    static final long HEAP_BAND = 8L * 1024 * 1024;
    /** Open descriptors, the proxies' pooled connections to the stand-ins aside (see {@link Resources}). */
    static final int DESCRIPTOR_BAND = 16;

    /** Requests Vert.x answers 501 with their own version in the status line (FOO/1.1, HTTP/4.84, HTTP/2.0): see the README. */
    private static final Set<String> VERSION_ECHOED = Set.of(HostileRequests.NOT_HTTP_1, HostileRequests.PREFACE_IN_HTTP_1);
    private static final Pattern ECHO = Pattern.compile("\\{\"id\":\"([^\"]*)\",\"len\":(-?\\d+),");
    /** Vert.x and Netty log through JUL here: kept strongly, as JUL holds loggers weakly. */
    private static final List<Logger> CAPTURED = List.of(Logger.getLogger("io.vertx"), Logger.getLogger("io.netty"));

    @TempDir
    Path logs;

    /** What each request sent may get: id → its accept, what a stand-in must see, and where it comes from. */
    volatile Map<String, Item> sent = new ConcurrentHashMap<>();
    /** What the stand-ins received: id → "instance METHOD uri host length". */
    volatile Map<String, String> received = new ConcurrentHashMap<>();
    final Failures failures = new Failures();
    /** The outcomes of the fuzz (the normal loads before and after it count apart). */
    Tally tally = new Tally();
    final LogCapture log = new LogCapture();
    final ScheduledThreadPoolExecutor watchdogs = new ScheduledThreadPoolExecutor(1, daemon("fuzz-watchdog"));

    {
        watchdogs.setRemoveOnCancelPolicy(true); // a cancelled watchdog is not kept 90 s: the heap is measured after the fuzz
    }
    Map<Target, InetSocketAddress> proxies;

    @Test
    void theProxiesAnswerHostileInputWithErrorsOrClosesAndKeepServing() throws Exception {
        System.out.printf("ProxyFuzzIT: seed %d (-Dfuzz.seed=N to replay another), %,d hostile requests, %d workers, %d slowloris, "
                + "budget %ds%n", SEED, REQUESTS, WORKERS, SLOWLORIS, BUDGET.toSeconds());
        try (StandIns standIns = new StandIns()) {
            Endpoint frontend = standIns.upstream("frontend-0", "frontend", StandIns.ZONE_A, "{}");
            List<Endpoint> endpoints = new ArrayList<>(standIns.endpoints);
            endpoints.add(frontend);
            for (Endpoint endpoint : endpoints) {
                standIns.behaviour.put(endpoint.name(), echo(endpoint.name()));
            }
            List<Integer> standInPorts = endpoints.stream().map(Endpoint::port).toList();
            try (DataPlane plane = standIns.plane(logs, SEED, frontend)) {
                Proxy ingress = plane.start(StandIns.ingress(), 0);
                Proxy sidecar = plane.start(standIns.sidecar("productcatalog"), 0);
                proxies = Map.of(Target.INGRESS, new InetSocketAddress("127.0.0.1", ingress.port()), Target.SIDECAR,
                        new InetSocketAddress("127.0.0.1", sidecar.port()));
                Set<Integer> proxyPorts = Set.of(ingress.port(), sidecar.port());
                HttpClient viaSidecar = StandIns.via(sidecar);
                HttpClient direct = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

                // Warm-up and baseline: normal load only.
                normalLoad(new SplittableRandom(SEED ^ 1), standInPorts, viaSidecar, direct, ingress);
                assertThat(plane.awaitIdle(Duration.ofSeconds(30))).isTrue();
                clearRecords(standIns);
                Resources before = Resources.measure(proxyPorts, Set.copyOf(standInPorts));
                Path histogramBefore = histogram("before");

                // The fuzz.
                Tally warmUp = tally;
                tally = new Tally();
                log.start();
                long started = System.nanoTime();
                long deadline = started + BUDGET.toNanos();
                boolean complete = fuzz(standInPorts, deadline);
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                boolean idle = plane.awaitIdle(Duration.ofSeconds(60));
                log.stop();
                List<String> upstreamProblems = upstreamProblems();
                long hostile = tally.hostile();

                // Normal load again, then the resources.
                Tally fuzzed = tally;
                tally = warmUp;
                clearRecords(standIns);
                normalLoad(new SplittableRandom(SEED ^ 2), standInPorts, viaSidecar, direct, ingress);
                assertThat(plane.awaitIdle(Duration.ofSeconds(30))).isTrue();
                clearRecords(standIns);
                Resources after = Resources.settled(before, proxyPorts, Set.copyOf(standInPorts));
                Path histogramAfter = histogram("after");

                System.out.print(fuzzed.report());
                System.out.printf("ProxyFuzzIT: %,d hostile and %,d valid requests in %,d connections in %.1f s (%s); seed %d%n", hostile,
                        fuzzed.valid(), fuzzed.connections.sum(), took.toMillis() / 1000.0,
                        complete ? "all sent" : "the time budget ran out first: fewer sent than asked", SEED);
                System.out.println("ProxyFuzzIT: before " + before);
                System.out.println("ProxyFuzzIT: after  " + after);
                System.out.print(log.report());

                assertThat(failures.list()).as("requests whose outcome their category does not accept (%d in all)", failures.count.get())
                        .isEmpty();
                assertThat(upstreamProblems).as("what the stand-ins received that no request should have brought them").isEmpty();
                assertThat(log.crashes()).as("exceptions from the proxies' code on their event loops").isEmpty();
                assertThat(idle).as("every request the proxies began has ended").isTrue();
                if (complete) {
                    assertThat(hostile).as("hostile requests sent").isGreaterThanOrEqualTo(REQUESTS);
                }
                assertThat(after.downstreamSockets()).as("connections to the proxies still open").isLessThanOrEqualTo(
                        before.downstreamSockets());
                assertThat(after.descriptors() - after.upstreamSockets()).as("open descriptors but the pooled upstream connections")
                        .isBetween(before.descriptors() - before.upstreamSockets() - DESCRIPTOR_BAND,
                                before.descriptors() - before.upstreamSockets() + DESCRIPTOR_BAND);
                assertThat(after.heap()).as("heap after GC, bytes (classes: %s, %s)", histogramBefore, histogramAfter)
                        .isBetween(before.heap() - HEAP_BAND, before.heap() + HEAP_BAND);
            }
        } finally {
            log.stop();
            watchdogs.shutdownNow();
        }
    }

    // ---- the stand-ins' side -----------------------------------------------------------------------

    /** A stand-in that records what it got and echoes the request's id and body length. */
    private Consumer<HttpServerRequest> echo(String instance) {
        return request -> {
            String id = request.getHeader("x-fuzz-id");
            request.body().onComplete(body -> {
                int length = body.succeeded() ? body.result().length() : -1;
                String seen = instance + " " + request.method().name() + " " + request.uri() + " " + request.getHeader("host") + " " + length;
                if (id == null || received.putIfAbsent(id, seen) != null) {
                    received.put("unexpected " + System.nanoTime(), (id == null ? "no id: " : "twice: ") + seen);
                }
                request.response().putHeader("content-type", "application/json")
                        .end("{\"id\":\"" + id + "\",\"len\":" + length + ",\"instance\":\"" + instance + "\"}");
            });
        };
    }

    /** Every request a stand-in got must be one the fuzzer sent as a request, allowed through, and as it was sent. */
    private List<String> upstreamProblems() {
        List<String> problems = new ArrayList<>();
        received.forEach((id, seen) -> {
            Item item = sent.get(id);
            if (id.startsWith("unexpected ")) {
                problems.add(seen);
            } else if (item == null) {
                problems.add("a request hidden in another's bytes reached a stand-in: " + seen);
            } else if (!item.accept().served()) {
                problems.add("[" + item.category() + "] " + item.kind() + ": refused by the table, yet a stand-in got it: " + seen
                        + "\n    sent: " + escape(item.bytes()));
            } else {
                String[] parts = seen.split(" ");
                HostileRequests.Intended intended = item.intended();
                String expected = intended.method() + " " + intended.path() + " " + intended.host() + " " + intended.bodyLength();
                String got = parts[1] + " " + parts[2] + " " + parts[3] + " " + parts[4];
                if (!got.equals(expected)) {
                    problems.add("[" + item.category() + "] " + item.kind() + ": a stand-in got " + got + ", the fuzzer sent " + expected
                            + "\n    sent: " + escape(item.bytes()));
                }
            }
        });
        return problems.size() > 30 ? problems.subList(0, 30) : problems;
    }

    /** Forgets what was sent and received (new maps: a cleared one keeps its table, and the heap is measured next). */
    private void clearRecords(StandIns standIns) {
        sent = new ConcurrentHashMap<>();
        received = new ConcurrentHashMap<>();
        standIns.received.clear();
    }

    // ---- normal load ------------------------------------------------------------------------------

    /**
     * Normal requests through both proxies, each answered right: the JDK's client (sequential, as a
     * service's REST client calls through its sidecar; the page through the ingress), and
     * pipelined HTTP/1.1 and HTTP/2 connections as the fuzz's valid requests go.
     */
    private void normalLoad(SplittableRandom random, List<Integer> standInPorts, HttpClient viaSidecar, HttpClient direct, Proxy ingress)
            throws Exception {
        int failed = failures.count.get();
        for (int i = 0; i < 1000; i++) {
            String id = "normal-" + i;
            HttpResponse<String> page = direct.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingress.port() + "/"))
                    .header("x-fuzz-id", id + "-page").timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
            assertThat(page.body()).startsWith("{\"id\":\"" + id + "-page\",\"len\":0,\"instance\":\"frontend-0\"");
            HttpResponse<String> detail = viaSidecar.send(HttpRequest.newBuilder(URI.create(StandIns.CATALOGDETAIL)).header("x-fuzz-id",
                    id + "-detail").timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(detail.statusCode()).as(detail.body()).isEqualTo(200);
            assertThat(detail.body()).matches("\\{\"id\":\"" + id + "-detail\",\"len\":0,\"instance\":\"catalogdetail2?-0\"}");
        }
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS, daemon("fuzz-normal"));
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                SplittableRandom own = random.split();
                AtomicLong ids = new AtomicLong();
                String prefix = "normal-w" + w + "-";
                done.add(pool.submit(() -> {
                    for (int s = 0; s < 60; s++) {
                        Target target = own.nextBoolean() ? Target.INGRESS : Target.SIDECAR;
                        HostileRequests requests = new HostileRequests(target, own, () -> prefix + ids.incrementAndGet(), standInPorts);
                        run(s % 5 == 0 ? requests.normalHttp2(own.nextInt(1, 8)) : requests.normalHttp1(own.nextInt(1, 16)), "normal load");
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(10, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(failures.count.get()).as("normal requests answered wrong: %s", failures.list()).isEqualTo(failed);
    }

    // ---- the fuzz ----------------------------------------------------------------------------------

    /** Sends the requests; says whether all were sent within the budget. */
    private boolean fuzz(List<Integer> standInPorts, long deadline) throws Exception {
        SplittableRandom master = new SplittableRandom(SEED);
        ExecutorService workers = Executors.newFixedThreadPool(WORKERS, daemon("fuzz-worker"));
        ExecutorService slow = Executors.newFixedThreadPool(Math.max(1, Math.min(SLOWLORIS, 8)), daemon("fuzz-slowloris"));
        try {
            List<Future<Boolean>> done = new ArrayList<>();
            int quota = (REQUESTS + WORKERS - 1) / WORKERS;
            for (int w = 0; w < WORKERS; w++) {
                SplittableRandom random = master.split();
                String prefix = "w" + w + "-";
                done.add(workers.submit(() -> {
                    AtomicLong ids = new AtomicLong();
                    Map<Target, HostileRequests> generators = Map.of(
                            Target.INGRESS, new HostileRequests(Target.INGRESS, random, () -> prefix + ids.incrementAndGet(), standInPorts),
                            Target.SIDECAR, new HostileRequests(Target.SIDECAR, random, () -> prefix + ids.incrementAndGet(), standInPorts));
                    int hostile = 0;
                    int session = 0;
                    while (hostile < quota) {
                        if (System.nanoTime() > deadline) {
                            return false;
                        }
                        Plan plan = generators.get(random.nextBoolean() ? Target.INGRESS : Target.SIDECAR).next();
                        hostile += plan.hostile();
                        run(plan, prefix + "session " + session++);
                    }
                    return true;
                }));
            }
            SplittableRandom slowRandom = master.split();
            AtomicLong slowIds = new AtomicLong();
            List<Future<?>> trickles = new ArrayList<>();
            for (int i = 0; i < SLOWLORIS; i++) {
                Target target = slowRandom.nextBoolean() ? Target.INGRESS : Target.SIDECAR;
                Plan plan = new HostileRequests(target, slowRandom, () -> "slow-" + slowIds.incrementAndGet(), standInPorts).slowloris();
                String where = "slowloris " + i;
                trickles.add(slow.submit(() -> run(plan, where)));
            }
            boolean complete = true;
            for (Future<Boolean> f : done) {
                complete &= f.get(BUDGET.toMillis() + 2L * SESSION_MILLIS, TimeUnit.MILLISECONDS);
            }
            for (Future<?> f : trickles) {
                f.get(2L * SESSION_MILLIS, TimeUnit.MILLISECONDS);
            }
            return complete;
        } finally {
            workers.shutdownNow();
            slow.shutdownNow();
        }
    }

    // ---- one connection ----------------------------------------------------------------------------

    /** Runs one plan on a new connection; every request of it gets one outcome in the tally. */
    void run(Plan plan, String where) {
        tally.connections.increment();
        for (List<Item> flight : plan.flights()) {
            flight.forEach(this::register);
        }
        if (plan.tail() != null) {
            register(plan.tail());
        }
        if (plan.h2() != null) {
            plan.h2().streams().forEach(s -> register(s.item()));
            if (plan.h2().sentinel() != null) {
                register(plan.h2().sentinel().item());
            }
        }
        Connection c = new Connection(plan, where);
        ScheduledFuture<?> watchdog = watchdogs.schedule(c::cut, SESSION_MILLIS, TimeUnit.MILLISECONDS);
        try {
            c.connect();
            if (plan.h2() != null) {
                c.http2(plan.h2());
            } else if (plan.trickle() != null) {
                c.trickle(plan.tail(), plan.trickle());
            } else {
                c.http1();
            }
        } catch (IOException e) {
            c.endAll(e);
        } finally {
            watchdog.cancel(false);
            c.close();
        }
    }

    /** What the checks of the stand-ins' side need of a request (its first bytes only: some are 200 KiB). */
    private void register(Item item) {
        byte[] start = item.bytes() == null ? new byte[0] : java.util.Arrays.copyOf(item.bytes(), Math.min(item.bytes().length, 160));
        sent.put(item.id(), new Item(item.category(), item.kind(), item.hostile(), start, item.accept(), item.id(), item.intended()));
    }

    /** One connection of a plan, and the outcomes of its requests. */
    final class Connection {
        final Plan plan;
        final String where;
        final Socket socket = new Socket();
        InputStream in;
        OutputStream out;
        boolean open = true;
        /** An earlier request on the connection was refused: a close after it is its doing. */
        boolean refused;
        volatile boolean cut;
        final Set<Item> judged = new HashSet<>();

        Connection(Plan plan, String where) {
            this.plan = plan;
            this.where = where;
        }

        void connect() throws IOException {
            socket.setSoLinger(true, 0); // no TIME_WAIT: tens of thousands of connections to two ports
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(HANG_MILLIS);
            socket.connect(proxies.get(plan.target()), HANG_MILLIS);
            in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            out = socket.getOutputStream();
        }

        void http1() throws IOException {
            for (List<Item> flight : plan.flights()) {
                if (!open) {
                    flight.forEach(item -> outcome(item, "not read: closed at an earlier request"));
                    continue;
                }
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                flight.forEach(item -> bytes.writeBytes(item.bytes()));
                write(bytes.toByteArray());
                for (Item item : flight) {
                    answer(item);
                }
            }
            Item tail = plan.tail();
            if (tail != null) {
                if (!open) {
                    outcome(tail, "not read: closed at an earlier request");
                    return;
                }
                write(tail.bytes());
                halfClose();
                answer(tail);
            }
            if (open && (plan.expectClose() || tail != null)) {
                expectEnd(plan.expectClose() ? plan.flights().get(plan.flights().size() - 1).get(0) : tail);
            }
        }

        /** Slowloris: the request a few bytes at a time, then its end, or the fuzzer walks away. */
        void trickle(Item item, HostileRequests.Trickle trickle) throws IOException {
            byte[] bytes = item.bytes();
            int stop = trickle.stopAt() < 0 ? bytes.length : trickle.stopAt();
            for (int at = 0; at < stop && open; at += trickle.piece()) {
                out.write(bytes, at, Math.min(trickle.piece(), stop - at));
                out.flush();
                pause(trickle.pauseMillis());
            }
            if (trickle.stopAt() < 0) {
                answer(item);
            } else if (trickle.halfClose()) {
                halfClose();
                answer(item);
                if (open) {
                    expectEnd(item);
                }
            } else {
                outcome(item, "abandoned by the fuzzer");
            }
        }

        // ---- HTTP/1.1 answers -------------------------------------------------------------------

        private void write(byte[] bytes) {
            try {
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                // The proxy closed while we wrote (it refused what it read first): read what it answered.
            }
        }

        private void halfClose() {
            try {
                socket.shutdownOutput();
            } catch (IOException e) {
                // closed already
            }
        }

        /** Reads the answer to {@code item} and judges it. */
        void answer(Item item) {
            Response response;
            try {
                response = Response.read(in);
            } catch (SocketTimeoutException e) {
                fail(item, "no answer and no close in " + HANG_MILLIS / 1000 + " s (a hang)");
                open = false;
                return;
            } catch (Response.Malformed e) {
                fail(item, "a malformed answer: " + e.getMessage());
                open = false;
                return;
            } catch (IOException e) {
                response = null; // reset: as closed
            }
            if (response == null) {
                open = false;
                if (cut) {
                    fail(item, "cut by the watchdog after " + SESSION_MILLIS / 1000 + " s");
                } else if (refused) {
                    outcome(item, "not read: closed at an earlier request");
                } else if (item.accept().closed()) {
                    outcome(item, "closed");
                } else {
                    fail(item, "the connection closed with no answer");
                }
                return;
            }
            if (!response.version().matches("HTTP/1\\.[01]") && !VERSION_ECHOED.contains(item.kind())) {
                // Only Vert.x's 501 to a version other than HTTP/1.x echoes it (FOO/1.1, HTTP/4.84): see the README.
                fail(item, "a status line of version " + response.version());
                open = false;
                return;
            }
            judge(item, response.status(), response.header("x-envoy-upstream-service-time") != null, response.body());
        }

        /** After the last answer the proxy must close: another answer is one to bytes it should not have read as a request. */
        void expectEnd(Item last) {
            try {
                Response extra = Response.read(in);
                if (extra != null) {
                    fail(last, "an answer after it (" + extra.status() + " " + abbreviate(extra.body()) + "): bytes after it read as a request");
                }
            } catch (SocketTimeoutException e) {
                fail(last, "the connection stayed open " + HANG_MILLIS / 1000 + " s after it");
            } catch (IOException e) {
                // closed: as it should be
            }
            open = false;
        }

        /** One answer against what the request accepts. */
        void judge(Item item, int status, boolean viaUpstream, String body) {
            Accept accept = item.accept();
            if (status >= 200 && status < 300) {
                Matcher echo = ECHO.matcher(body);
                if (!accept.served()) {
                    fail(item, status + " for a request the proxy must refuse: " + abbreviate(body));
                } else if (!viaUpstream || !echo.find()) {
                    fail(item, status + " not from a stand-in: " + abbreviate(body));
                } else if (!echo.group(1).equals(item.id())) {
                    fail(item, "the answer to another request (" + echo.group(1) + "): the connection is out of step");
                } else if (Integer.parseInt(echo.group(2)) != item.intended().bodyLength()) {
                    fail(item, "the stand-in got " + echo.group(2) + " body bytes of " + item.intended().bodyLength());
                } else {
                    outcome(item, "served");
                }
            } else if (status >= 400 && status <= 599) {
                refused = true;
                if (viaUpstream) {
                    fail(item, status + " from a stand-in: the proxy forwarded what it should have " + (accept.served() ? "served" : "refused"));
                } else if (accept.allows(status)) {
                    outcome(item, String.valueOf(status));
                } else {
                    fail(item, status + " (" + abbreviate(body) + "), which it does not accept: " + accept);
                }
            } else {
                fail(item, "status " + status);
            }
        }

        // ---- HTTP/2 -----------------------------------------------------------------------------

        void http2(H2 h2) throws IOException {
            write(h2.opening());
            if (h2.opening().length < HostileRequests.PREFACE.length) {
                halfClose();
                drain(h2.hostileItem());
                return;
            }
            DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(true);
            Map<Integer, H2Stream> streams = new TreeMap<>();
            ByteArrayOutputStream requests = new ByteArrayOutputStream();
            for (H2Stream stream : h2.streams()) {
                streams.put(stream.streamId(), stream);
                requests.writeBytes(H2Wire.request(stream.streamId(), stream.headers()));
                if (h2.resetEach()) {
                    requests.writeBytes(H2Wire.reset(stream.streamId()));
                }
            }
            if (h2.sentinel() != null) {
                streams.put(h2.sentinel().streamId(), h2.sentinel());
                requests.writeBytes(H2Wire.request(h2.sentinel().streamId(), h2.sentinel().headers()));
            }
            write(requests.toByteArray());
            Map<Integer, StreamAnswer> answers = new HashMap<>();
            String end = null;
            // Read until the streams that must be answered are, or the connection ends.
            while (end == null && !allAnswered(h2, streams, answers)) {
                end = readFrame(decoder, answers);
            }
            for (H2Stream stream : streams.values()) {
                StreamAnswer answer = answers.get(stream.streamId());
                Item item = stream.item();
                if (answer != null && answer.complete && answer.status > 0) {
                    judge(item, answer.status, answer.viaUpstream, answer.body.toString(StandardCharsets.ISO_8859_1));
                } else if (h2.resetEach() && stream != h2.sentinel()) {
                    outcome(item, "reset by the fuzzer");
                } else if (answer != null && answer.reset) {
                    judgeEnd(item, "RST_STREAM");
                } else {
                    judgeEnd(item, end == null ? "closed" : end);
                }
            }
            if (h2.hostileItem() == null) {
                return;
            }
            if (end != null) {
                outcome(h2.hostileItem(), "not read: closed at an earlier request");
                return;
            }
            write(h2.hostileBytes());
            if (h2.halfClose()) {
                halfClose();
            }
            Set<Integer> valid = new HashSet<>(streams.keySet());
            Map<Integer, StreamAnswer> after = new HashMap<>();
            String outcome = null;
            while (outcome == null) {
                outcome = readFrame(decoder, after);
                for (Map.Entry<Integer, StreamAnswer> e : after.entrySet()) {
                    if (outcome == null && !valid.contains(e.getKey())) {
                        StreamAnswer answer = e.getValue();
                        if (answer.reset) {
                            outcome = "RST_STREAM";
                        } else if (answer.status > 0) {
                            judge(h2.hostileItem(), answer.status, answer.viaUpstream, answer.body.toString(StandardCharsets.ISO_8859_1));
                            return;
                        }
                    }
                }
            }
            judgeEnd(h2.hostileItem(), outcome);
        }

        private boolean allAnswered(H2 h2, Map<Integer, H2Stream> streams, Map<Integer, StreamAnswer> answers) {
            for (H2Stream stream : streams.values()) {
                if (h2.resetEach() && stream != h2.sentinel()) {
                    continue;
                }
                StreamAnswer answer = answers.get(stream.streamId());
                if (answer == null || !answer.complete && !answer.reset) {
                    return false;
                }
            }
            return true;
        }

        /** Reads one frame into {@code answers}; returns how the connection ended ("GOAWAY", "closed"), or null. */
        private String readFrame(DefaultHttp2HeadersDecoder decoder, Map<Integer, StreamAnswer> answers) throws IOException {
            H2Wire.Frame frame;
            try {
                frame = H2Wire.read(in);
            } catch (SocketTimeoutException e) {
                return cut ? "cut by the watchdog" : "hang";
            } catch (IOException e) {
                return "closed";
            }
            if (frame == null) {
                return "closed";
            }
            StreamAnswer answer = frame.stream() == 0 ? null : answers.computeIfAbsent(frame.stream(), s -> new StreamAnswer());
            switch (frame.type()) {
                case H2Wire.SETTINGS -> {
                    if ((frame.flags() & H2Wire.ACK) == 0) {
                        write(H2Wire.settingsAck());
                    }
                }
                case H2Wire.GOAWAY -> {
                    return "GOAWAY";
                }
                case H2Wire.RST_STREAM -> answer.reset = true;
                case H2Wire.HEADERS, H2Wire.CONTINUATION -> {
                    byte[] payload = frame.payload();
                    int from = 0;
                    int to = payload.length;
                    if (frame.type() == H2Wire.HEADERS && (frame.flags() & 0x8) != 0) {
                        from = 1;
                        to -= payload[0] & 0xff;
                    }
                    if (frame.type() == H2Wire.HEADERS && (frame.flags() & 0x20) != 0) {
                        from += 5;
                    }
                    answer.block.write(payload, from, to - from);
                    if ((frame.flags() & H2Wire.END_HEADERS) != 0) {
                        try {
                            Http2Headers headers = decoder.decodeHeaders(frame.stream(), Unpooled.wrappedBuffer(answer.block.toByteArray()));
                            answer.block.reset();
                            if (headers.status() != null && answer.status == 0) {
                                answer.status = Integer.parseInt(headers.status().toString());
                                answer.viaUpstream = headers.contains("x-envoy-upstream-service-time");
                            }
                        } catch (Http2Exception | NumberFormatException e) {
                            return "a header block that does not decode: " + e.getMessage();
                        }
                    }
                    answer.complete |= (frame.flags() & H2Wire.END_STREAM) != 0;
                }
                case H2Wire.DATA -> {
                    answer.body.writeBytes(frame.payload());
                    answer.complete |= (frame.flags() & H2Wire.END_STREAM) != 0;
                }
                default -> {
                    // PING, WINDOW_UPDATE, PRIORITY: nothing to answer
                }
            }
            return null;
        }

        /** The end of a connection the fuzzer cut short: the proxy closes it, whatever it answers first. */
        private void drain(Item item) throws IOException {
            try {
                while (in.read() >= 0) {
                    // what the proxy answers to a preface cut short does not matter, the close does
                }
                judgeEnd(item, "closed");
            } catch (SocketTimeoutException e) {
                judgeEnd(item, "hang");
            } catch (SocketException e) {
                judgeEnd(item, "closed");
            }
        }

        /** A request whose connection or stream ended with no answer: {@code how}. */
        void judgeEnd(Item item, String how) {
            if (how.equals("hang")) {
                fail(item, "no answer and no close in " + HANG_MILLIS / 1000 + " s (a hang)");
            } else if (how.startsWith("cut")) {
                fail(item, "cut by the watchdog after " + SESSION_MILLIS / 1000 + " s");
            } else if (how.startsWith("a header block")) {
                fail(item, how);
            } else if (item.accept().closed()) {
                outcome(item, how);
            } else {
                fail(item, how + " with no answer");
            }
        }

        // ---- outcomes ---------------------------------------------------------------------------

        void outcome(Item item, String label) {
            if (judged.add(item)) {
                tally.add(item, label);
            }
        }

        void fail(Item item, String why) {
            if (judged.add(item)) {
                tally.add(item, "FAILED");
                failures.add(item.category() + " " + plan.target() + " " + item.kind() + " " + why.replaceAll("[0-9]+", "#")
                        .substring(0, Math.min(40, why.length())), String.format("[%s %s, %s] %s: %s%n    sent: %s", item.category(),
                                plan.target(), where, item.kind(), why, escape(item.bytes())));
            }
        }

        /** The requests not judged when the connection failed. */
        void endAll(IOException e) {
            List<Item> all = new ArrayList<>();
            plan.flights().forEach(all::addAll);
            if (plan.tail() != null) {
                all.add(plan.tail());
            }
            if (plan.h2() != null) {
                plan.h2().streams().forEach(s -> all.add(s.item()));
                if (plan.h2().sentinel() != null) {
                    all.add(plan.h2().sentinel().item());
                }
                if (plan.h2().hostileItem() != null) {
                    all.add(plan.h2().hostileItem());
                }
            }
            for (Item item : all) {
                if (!judged.contains(item)) {
                    if (cut) {
                        fail(item, "cut by the watchdog after " + SESSION_MILLIS / 1000 + " s");
                    } else if (e instanceof SocketTimeoutException) {
                        fail(item, "no answer and no close in " + HANG_MILLIS / 1000 + " s (a hang)");
                    } else if (refused || !open) {
                        outcome(item, "not read: closed at an earlier request");
                    } else if (item.accept().closed()) {
                        outcome(item, "closed");
                    } else {
                        fail(item, "the connection failed: " + e);
                    }
                }
            }
        }

        void cut() {
            cut = true;
            close();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    /** An HTTP/2 stream's answer as its frames come. */
    static final class StreamAnswer {
        final ByteArrayOutputStream block = new ByteArrayOutputStream();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        int status;
        boolean viaUpstream;
        boolean complete;
        boolean reset;
    }

    // ---- an HTTP/1.x answer ------------------------------------------------------------------------

    /** A response as it came: a status line, headers, a body framed by Content-Length, chunks or the close. */
    record Response(String version, int status, Map<String, String> headers, String body) {

        static final class Malformed extends IOException {
            Malformed(String message) {
                super(message);
            }
        }

        private static final Pattern STATUS_LINE = Pattern.compile("([!-~]+/\\d+\\.\\d+) (\\d{3})( .*)?");

        String header(String name) {
            return headers.get(name);
        }

        /** The next response, or null at the end of the stream before its first byte. */
        static Response read(InputStream in) throws IOException {
            String statusLine = line(in, true);
            if (statusLine == null) {
                return null;
            }
            Matcher m = STATUS_LINE.matcher(statusLine);
            if (!m.matches()) {
                throw new Malformed("status line " + escape(statusLine.getBytes(StandardCharsets.ISO_8859_1)));
            }
            Map<String, String> headers = new HashMap<>();
            for (String header = line(in, false); !header.isEmpty(); header = line(in, false)) {
                int colon = header.indexOf(':');
                if (colon <= 0 || headers.size() > 200) {
                    throw new Malformed("header line " + escape(header.getBytes(StandardCharsets.ISO_8859_1)));
                }
                headers.merge(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim(),
                        (a, b) -> a + "," + b);
            }
            int status = Integer.parseInt(m.group(2));
            byte[] body;
            if (status / 100 == 1 || status == 204 || status == 304) {
                body = new byte[0];
            } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                ByteArrayOutputStream chunks = new ByteArrayOutputStream();
                for (int size = chunkSize(line(in, false)); size > 0; size = chunkSize(line(in, false))) {
                    chunks.writeBytes(exactly(in, size));
                    if (!line(in, false).isEmpty()) {
                        throw new Malformed("no CRLF after a chunk");
                    }
                }
                while (!line(in, false).isEmpty()) {
                    // trailers
                }
                body = chunks.toByteArray();
            } else if (headers.containsKey("content-length")) {
                body = exactly(in, Integer.parseInt(headers.get("content-length")));
            } else {
                body = in.readAllBytes(); // delimited by the close
            }
            return new Response(m.group(1), status, headers, new String(body, StandardCharsets.ISO_8859_1));
        }

        private static byte[] exactly(InputStream in, int n) throws IOException {
            byte[] bytes = in.readNBytes(n);
            if (bytes.length < n) {
                throw new Malformed("a body cut short: " + bytes.length + " of " + n + " bytes");
            }
            return bytes;
        }

        private static int chunkSize(String line) throws Malformed {
            try {
                return Integer.parseInt(line.split(";")[0].trim(), 16);
            } catch (NumberFormatException e) {
                throw new Malformed("chunk size " + line);
            }
        }

        /** A line without its CRLF; null at the end of the stream before it when {@code first}. */
        private static String line(InputStream in, boolean first) throws IOException {
            StringBuilder text = new StringBuilder();
            for (int c = in.read();; c = in.read()) {
                if (c < 0) {
                    if (first && text.length() == 0) {
                        return null;
                    }
                    throw new Malformed("the answer cut short after " + escape(text.toString().getBytes(StandardCharsets.ISO_8859_1)));
                }
                if (c == '\n') {
                    if (text.length() == 0 || text.charAt(text.length() - 1) != '\r') {
                        throw new Malformed("a line ended by LF alone");
                    }
                    return text.substring(0, text.length() - 1);
                }
                text.append((char) c);
                if (text.length() > 16 * 1024) {
                    throw new Malformed("a line over 16 KiB");
                }
            }
        }
    }

    // ---- resources ---------------------------------------------------------------------------------

    /**
     * What the process holds: the heap after GC, open descriptors, and among the sockets those of
     * connections with a stand-in (the proxies' upstream pool and the stand-ins' ends: Vert.x keeps
     * idle pooled connections 60 s, as many as the peak of concurrent tries, so their count follows
     * the load's shape, not a leak) and with a proxy (downstream: the fuzzer closes all of its own).
     */
    record Resources(long heap, int descriptors, int upstreamSockets, int downstreamSockets, long direct) {

        static Resources measure(Set<Integer> proxyPorts, Set<Integer> standInPorts) throws IOException, InterruptedException {
            long heap = Long.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(200);
                heap = Math.min(heap, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            }
            int descriptors;
            try (var fds = Files.list(Path.of("/proc/self/fd"))) {
                descriptors = (int) fds.count() - 1; // the listing's own
            }
            int upstream = 0;
            int downstream = 0;
            for (String file : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
                Path path = Path.of(file);
                if (!Files.exists(path)) {
                    continue;
                }
                for (String line : Files.readAllLines(path)) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length < 4 || !f[3].matches("01|08")) { // ESTABLISHED, CLOSE_WAIT: a descriptor holds them
                        continue;
                    }
                    int local = Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1), 16);
                    int remote = Integer.parseInt(f[2].substring(f[2].lastIndexOf(':') + 1), 16);
                    upstream += standInPorts.contains(local) || standInPorts.contains(remote) ? 1 : 0;
                    downstream += proxyPorts.contains(local) || proxyPorts.contains(remote) ? 1 : 0;
                }
            }
            long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream().filter(b -> b.getName().equals("direct"))
                    .mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
            return new Resources(heap, descriptors, upstream, downstream, direct);
        }

        /** Measured once the proxies have closed the connections the fuzzer left (closes are asynchronous): up to 30 s. */
        static Resources settled(Resources before, Set<Integer> proxyPorts, Set<Integer> standInPorts) throws Exception {
            Resources now = measure(proxyPorts, standInPorts);
            for (int i = 0; i < 30 && (now.downstreamSockets() > before.downstreamSockets()
                    || now.descriptors() - now.upstreamSockets() > before.descriptors() - before.upstreamSockets() + DESCRIPTOR_BAND); i++) {
                Thread.sleep(1000);
                now = measure(proxyPorts, standInPorts);
            }
            return now;
        }

        @Override
        public String toString() {
            return String.format("heap after GC %.1f MiB, %d open descriptors (%d of them sockets to or of stand-ins, %d to or of proxies), "
                    + "direct buffers %.1f MiB", heap / 1048576.0, descriptors, upstreamSockets, downstreamSockets, direct / 1048576.0);
        }
    }

    // ---- bookkeeping -------------------------------------------------------------------------------

    /** Outcomes per category. */
    static final class Tally {
        final Map<String, Map<String, LongAdder>> outcomes = new ConcurrentHashMap<>();
        final Map<String, LongAdder> hostile = new ConcurrentHashMap<>();
        final Map<String, LongAdder> valid = new ConcurrentHashMap<>();
        final LongAdder connections = new LongAdder();

        void add(Item item, String label) {
            outcomes.computeIfAbsent(item.category(), c -> new ConcurrentHashMap<>()).computeIfAbsent(
                    (item.hostile() ? "" : "valid: ") + label, l -> new LongAdder()).increment();
            (item.hostile() ? hostile : valid).computeIfAbsent(item.category(), c -> new LongAdder()).increment();
        }

        long hostile() {
            return hostile.values().stream().mapToLong(LongAdder::sum).sum();
        }

        long valid() {
            return valid.values().stream().mapToLong(LongAdder::sum).sum();
        }

        String report() {
            StringBuilder text = new StringBuilder("ProxyFuzzIT outcomes per category (hostile requests; then the valid ones around them):\n");
            new TreeMap<>(outcomes).forEach((category, byLabel) -> {
                text.append(String.format("  %-18s %,8d hostile %,8d valid:", category, sum(hostile.get(category)), sum(valid.get(category))));
                new TreeMap<>(byLabel).forEach((label, n) -> text.append(String.format("  %s %,d;", label, n.sum())));
                text.append('\n');
            });
            return text.toString();
        }

        private static long sum(LongAdder adder) {
            return adder == null ? 0 : adder.sum();
        }
    }

    /** The failures: all counted, the first two of each kind kept (80 at most). */
    static final class Failures {
        final ConcurrentLinkedQueue<String> kept = new ConcurrentLinkedQueue<>();
        final Map<String, AtomicInteger> perKind = new ConcurrentHashMap<>();
        final AtomicInteger count = new AtomicInteger();

        void add(String kind, String failure) {
            count.incrementAndGet();
            if (perKind.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet() <= 2 && kept.size() < 80) {
                kept.add(failure);
            }
        }

        List<String> list() {
            return List.copyOf(kept);
        }
    }

    /**
     * What Vert.x and Netty log at WARNING and above while the fuzz runs (kept off the console): an
     * exception whose stack passes through the proxies' code is a crash of a request's handling.
     */
    static final class LogCapture extends Handler {
        final Map<String, LongAdder> byMessage = new ConcurrentHashMap<>();
        final Map<String, String> samples = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<String> crashes = new ConcurrentLinkedQueue<>();
        private boolean on;

        synchronized void start() {
            for (Logger logger : CAPTURED) {
                logger.setUseParentHandlers(false);
                logger.addHandler(this);
            }
            on = true;
        }

        synchronized void stop() {
            if (on) {
                for (Logger logger : CAPTURED) {
                    logger.removeHandler(this);
                    logger.setUseParentHandlers(true);
                }
                on = false;
            }
        }

        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() < Level.WARNING.intValue()) {
                return;
            }
            String message = String.valueOf(record.getMessage());
            String key = message.replaceAll("\\b(?=[0-9a-f]*\\d)[0-9a-f]{3,}\\b", "…"); // hex dumps, counts
            key = key.length() > 70 ? key.substring(0, 70) : key;
            byMessage.computeIfAbsent(key, m -> new LongAdder()).increment();
            if (record.getThrown() != null && !samples.containsKey(key)) {
                java.io.StringWriter trace = new java.io.StringWriter();
                record.getThrown().printStackTrace(new java.io.PrintWriter(trace));
                samples.put(key, message + "\n" + trace.toString().lines().limit(12).collect(java.util.stream.Collectors.joining("\n")));
            }
            for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
                for (StackTraceElement frame : t.getStackTrace()) {
                    if (frame.getClassName().startsWith("io.productapp.") && crashes.size() < 10) {
                        java.io.StringWriter trace = new java.io.StringWriter();
                        record.getThrown().printStackTrace(new java.io.PrintWriter(trace));
                        crashes.add(message + ": " + trace);
                        return;
                    }
                }
            }
        }

        List<String> crashes() {
            return List.copyOf(crashes);
        }

        String report() {
            StringBuilder text = new StringBuilder("ProxyFuzzIT: Vert.x and Netty logged at WARNING or above:\n");
            new TreeMap<>(byMessage).forEach((message, n) -> text.append(String.format("  %,8d  %s%n", n.sum(), message)));
            if (Boolean.getBoolean("fuzz.traces")) {
                samples.values().forEach(sample -> text.append(sample).append('\n'));
            }
            return text.toString();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /** The heap's classes after a full GC (jcmd's GC.class_histogram), in target/: what to compare when the heap check fails. */
    static Path histogram(String name) throws Exception {
        Object text = ManagementFactory.getPlatformMBeanServer().invoke(new javax.management.ObjectName(
                "com.sun.management:type=DiagnosticCommand"), "gcClassHistogram", new Object[] { new String[0] },
                new String[] { String[].class.getName() });
        Path file = Path.of("target", "proxy-fuzz-heap-" + name + ".txt").toAbsolutePath();
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.valueOf(text));
        return file;
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String abbreviate(String text) {
        return text.length() <= 120 ? text : text.substring(0, 120) + "...";
    }

    /** The first 300 bytes, printable. */
    static String escape(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, 300); i++) {
            int c = bytes[i] & 0xff;
            switch (c) {
                case '\r' -> text.append("\\r");
                case '\n' -> text.append("\\n");
                default -> text.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
            }
        }
        return bytes.length > 300 ? text + "... (" + bytes.length + " bytes)" : text.toString();
    }
}
