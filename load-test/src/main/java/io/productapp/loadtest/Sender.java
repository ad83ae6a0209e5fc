package io.productapp.loadtest;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * One per event loop: its share of the closed model's users, or its turns of the open model's
 * schedule, over its own keep-alive connection pool; records into its own {@link Stats}.
 */
final class Sender extends AbstractVerticle {

    /** A send that leaves more than this after its scheduled time counts as behind schedule. */
    static final long BEHIND_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final LoadPlan plan;
    private final Stats stats;
    private final int index;
    private final int senders;
    private final long start;
    private final AtomicInteger running;
    private final CompletableFuture<Void> done;
    /** Set by the run when it ends before its duration: no new request goes out. */
    private final AtomicBoolean halt;
    private final List<RequestOptions> requests = new ArrayList<>();
    /** The split header's name, hashed once (Netty's AsciiString) rather than per answer. */
    private final CharSequence splitHeader;
    private final boolean needsBody;
    /** Header value → version name, as the split rule names it; this loop's alone. */
    private final Map<String, String> versions = new HashMap<>();
    private HttpClient client;
    private SplittableRandom random;
    private boolean stopping;
    private boolean finished;
    private int active;

    /**
     * Sender {@code index} of {@code senders}, its clock starting at {@code start} (System.nanoTime);
     * the last of them to finish decrements {@code running} to zero and completes {@code done};
     * once {@code halt} is set it sends nothing more.
     */
    Sender(LoadPlan plan, Stats stats, int index, int senders, long start, AtomicInteger running, CompletableFuture<Void> done,
            AtomicBoolean halt) {
        this.plan = plan;
        this.stats = stats;
        this.index = index;
        this.senders = senders;
        this.start = start;
        this.running = running;
        this.done = done;
        this.halt = halt;
        this.splitHeader = plan.split() instanceof SplitRule.Header h ? HttpHeaders.createOptimized(h.name()) : null;
        this.needsBody = plan.split().needsBody();
    }

    /** How many senders a plan gets: one per event loop, but never more than users or connections, each owning at least one. */
    static int count(LoadPlan plan, int cores) {
        return Math.max(1, Math.min(Math.min(cores, 4), owners(plan)));
    }

    /** What senders share out: the closed model's users (this worker's), or the open model's connections. */
    private static int owners(LoadPlan plan) {
        return plan.model() instanceof LoadPlan.Closed ? plan.users() : ((LoadPlan.Open) plan.model()).maxConnections();
    }

    @Override
    public void start() {
        random = new SplittableRandom(plan.seed() + 1_000_003L * plan.worker().index() + index);
        int pool = Math.max(1, share(owners(plan)));
        long timeout = plan.requestTimeout().toMillis();
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout)), new PoolOptions().setHttp1MaxSize(pool));
        // A connection's failure reaches the request it carried (and is counted there); without a
        // handler of its own Vert.x would also log it, a line that kubectl logs mixes into the JSON.
        client.connectionHandler(connection -> connection.exceptionHandler(failure -> { }));
        for (URI target : plan.targets()) {
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(target.toString())
                    .setIdleTimeout(timeout);
            plan.headers().forEach(options::addHeader);
            requests.add(options);
        }
        // The open model's schedule ends by itself, its last arrival at the very end: a stop timer
        // due at the same instant could drop it. The closed model stops at the duration.
        if (plan.duration() != null && plan.model() instanceof LoadPlan.Closed) {
            long remaining = Math.max(1, plan.duration().toMillis() - (System.nanoTime() - start) / 1_000_000);
            vertx.setTimer(remaining, id -> stopping = true);
        }
        if (plan.model() instanceof LoadPlan.Closed closed) {
            startUsers(closed);
        } else {
            startSchedule((LoadPlan.Open) plan.model());
        }
    }

    /** The duration is over, or the run was ended before it. */
    private boolean stopped() {
        return stopping || halt.get();
    }

    /** This sender's part of n (users or connections), spread evenly. */
    private int share(int n) {
        return n / senders + (index < n % senders ? 1 : 0);
    }

    private void startUsers(LoadPlan.Closed closed) {
        int users = share(plan.users());
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
        if (stopped() || (closed.repetitions() > 0 && user[1] >= closed.repetitions())) {
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

    /** The open model: this sender takes every (workers × senders)-th arrival of the whole schedule. */
    private void startSchedule(LoadPlan.Open open) {
        LoadPlan.Worker worker = plan.worker();
        RateProfile.Schedule schedule = open.profile().schedule(worker.index() + (long) worker.count() * index,
                (long) worker.count() * senders);
        long[] next = { schedule.next() };
        int[] cursor = { index };
        if (next[0] < 0) {
            finish();
            return;
        }
        vertx.setPeriodic(1, id -> {
            long now = System.nanoTime() - start;
            while (next[0] >= 0 && next[0] <= now && !stopped()) {
                if (now - next[0] > BEHIND_NANOS) {
                    stats.behindSchedule.increment();
                }
                active++;
                send(requests.get(cursor[0]++ % requests.size()), start + next[0], () -> {
                    if (--active == 0 && (next[0] < 0 || stopped())) {
                        finish();
                    }
                });
                next[0] = schedule.next();
            }
            if (next[0] < 0 || stopped()) {
                vertx.cancelTimer(id);
                next[0] = -1;
                if (active == 0) {
                    finish();
                }
            }
        });
    }

    /**
     * Sends one request; latency counts from {@code intended}; {@code then} runs on this loop after
     * it is recorded. Plain completion handlers, not composed futures: a few allocations fewer per
     * request, which is most of what the generator itself costs.
     */
    private void send(RequestOptions options, long intended, Runnable then) {
        stats.inFlight.increment();
        long queued = System.nanoTime();
        client.request(options).onComplete(connected -> {
            if (connected.failed()) {
                failed(connected.cause(), intended, queued, then);
                return;
            }
            long actual = System.nanoTime();
            connected.result().send().onComplete(answered -> {
                if (answered.failed()) {
                    failed(answered.cause(), intended, actual, then);
                    return;
                }
                HttpClientResponse response = answered.result();
                response.body().onComplete(body -> {
                    if (body.failed()) {
                        failed(body.cause(), intended, actual, then);
                        return;
                    }
                    stats.inFlight.decrement();
                    record(response, body.result(), intended, actual);
                    then.run();
                });
            });
        });
    }

    private void failed(Throwable cause, long intended, long actual, Runnable then) {
        stats.inFlight.decrement();
        long end = System.nanoTime();
        if (stats.measuring(end)) {
            stats.lastEnd = end;
            stats.failure(ErrorKind.of(cause), end - intended, end - actual);
        }
        then.run();
    }

    private void record(HttpClientResponse response, Buffer body, long intended, long actual) {
        long end = System.nanoTime();
        if (!stats.measuring(end)) {
            return;
        }
        stats.lastEnd = end;
        String bucket;
        if (splitHeader != null) {
            String value = response.headers().get(splitHeader);
            bucket = value == null ? SplitRule.UNKNOWN : versions.get(value);
            if (bucket == null) {
                bucket = plan.split().bucket(value, null);
                if (versions.size() < 64) { // the versions a target answers with: a handful
                    versions.put(value, bucket);
                }
            }
        } else {
            bucket = plan.split().bucket(null, needsBody ? body.getBytes() : null);
        }
        stats.response(bucket, response.statusCode(), end - intended, end - actual, body.length());
    }

    /** This sender is done (once, however many paths lead here). */
    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        if (running.decrementAndGet() == 0) {
            done.complete(null);
        }
    }
}
