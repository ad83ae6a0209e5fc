package io.productapp.mesh.proxy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Traffic per edge of the graph over a sliding window, as Kiali shows it: for each source
 * (the proxy of a workload instance, or the ingress gateway) and destination (the instance that
 * answered, or the Service when no endpoint took the request), requests per second, error share,
 * latency percentiles, retries and response flags over the last {@link #SLOTS} seconds; mirrored
 * copies apart from served traffic. Proxies record on their event loops without locks; a tick each
 * second closes a one-second slot and computes the {@link View} readers get, so reading costs the
 * proxies nothing.
 */
public final class TrafficWindow {

    /** One-second slots in the window. */
    public static final int SLOTS = 10;

    /** Served traffic (the answer reached the caller) or mirrored copies (answers discarded). */
    public enum Traffic {
        SERVED, MIRRORED;

        public String json() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The destination node of requests no endpoint took: {@code service:catalogdetail}. */
    public static String serviceNode(String authority) {
        String host = authority == null ? "" : authority;
        int colon = host.indexOf(':');
        if (colon >= 0) {
            host = host.substring(0, colon);
        }
        int dot = host.indexOf('.');
        if (dot >= 0) {
            host = host.substring(0, dot);
        }
        return "service:" + (host.isEmpty() ? "unknown" : host);
    }

    public record EdgeKey(String source, String destination, Traffic traffic) {
    }

    /**
     * One edge over the window.
     *
     * @param requests requests that ended in the window; {@code perSecond} is their rate over it
     * @param errors answers 5xx, or none at all (the caller went away)
     * @param retries tries after the first
     * @param flags response flags and how many requests carried each ({@code UO}, {@code URX}, ...)
     * @param p50Millis p99Millis maxMillis the time from request to answer, at the proxy
     */
    public record EdgeView(EdgeKey key, long requests, double perSecond, long errors, double errorShare, long retries,
            Map<String, Long> flags, double p50Millis, double p99Millis, double maxMillis) {
    }

    /**
     * What the window held at a tick.
     *
     * @param sequence counts the ticks, so a reader can wait for the next one
     * @param epochMillis wall-clock time of the tick
     * @param seconds how long the window covers (up to {@link #SLOTS}; less just after the start)
     * @param edges the edges with requests in the window, sorted
     * @param ejected endpoint → the proxies that hold it ejected now
     */
    public record View(long sequence, long epochMillis, double seconds, List<EdgeView> edges, Map<String, List<String>> ejected) {
    }

    /** Counters one proxy writes for one edge; cumulative, read by the tick. */
    public static final class Edge {
        private final EdgeKey key;
        private final LongAdder requests = new LongAdder();
        private final LongAdder errors = new LongAdder();
        private final LongAdder retries = new LongAdder();
        private final LongAdder[] flags = new LongAdder[ResponseFlag.size()];
        private final Recorder latency = new Recorder(2);
        // Touched by the tick only.
        private final Slot[] slots = new Slot[SLOTS];
        private long seenRequests;
        private long seenErrors;
        private long seenRetries;
        private final long[] seenFlags = new long[ResponseFlag.size()];

        private Edge(EdgeKey key) {
            this.key = key;
            for (int i = 0; i < flags.length; i++) {
                flags[i] = new LongAdder();
            }
        }

        /**
         * One request that ended: its status (0: no answer), the {@link ResponseFlag}s it carried (a
         * mask), its time at the proxy and the tries after the first.
         */
        void record(int status, int responseFlags, long nanos, int extraTries) {
            latency.recordValue(Math.max(1, nanos / 1_000));
            if (status == 0 || status >= 500) {
                errors.increment();
            }
            if (extraTries > 0) {
                retries.add(extraTries);
            }
            for (int mask = responseFlags; mask != 0; mask &= mask - 1) {
                flags[Integer.numberOfTrailingZeros(mask)].increment();
            }
            requests.increment(); // last: a tick that sees the request sees the rest
        }
    }

    private record Slot(long requests, long errors, long retries, long[] flags, Histogram latency) {
    }

    private final Map<EdgeKey, Edge> edges = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Long>> ejectedUntil = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;
    private final LongSupplier wallClock;
    private final long[] tickTimes = new long[SLOTS + 1];
    private long ticks;
    private volatile View latest;

    public TrafficWindow() {
        this(System::nanoTime, System::currentTimeMillis);
    }

    /** With clocks of the caller's choosing (tests tick it by hand). */
    public TrafficWindow(LongSupplier nanoClock, LongSupplier wallClock) {
        this.nanoClock = nanoClock;
        this.wallClock = wallClock;
        tickTimes[0] = nanoClock.getAsLong();
        latest = new View(0, wallClock.getAsLong(), 0, List.of(), Map.of());
    }

    /** The counters of one edge, made on first use; a proxy keeps the ones it uses. */
    public Edge edge(String source, String destination, Traffic traffic) {
        return edges.computeIfAbsent(new EdgeKey(source, destination, traffic), Edge::new);
    }

    /** {@code proxy} ejected {@code endpoint} until {@code untilNanos} (the clock given at construction). */
    public void ejected(String proxy, String endpoint, long untilNanos) {
        ejectedUntil.computeIfAbsent(endpoint, e -> new ConcurrentHashMap<>()).put(proxy, untilNanos);
    }

    /** The view made at the last tick. */
    public View latest() {
        return latest;
    }

    /** Waits up to {@code millis} for a view newer than {@code sequence}; returns the latest either way. */
    public synchronized View next(long sequence, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (latest.sequence() <= sequence) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                break;
            }
            wait(left);
        }
        return latest;
    }

    /** Closes the current one-second slot and makes the view readers get. Call once a second. */
    public synchronized View tick() {
        long now = nanoClock.getAsLong();
        ticks++;
        tickTimes[(int) (ticks % tickTimes.length)] = now;
        int slot = (int) (ticks % SLOTS);
        long oldest = ticks < tickTimes.length ? tickTimes[0] : tickTimes[(int) ((ticks + 1) % tickTimes.length)];
        double seconds = (now - oldest) / 1e9;
        List<EdgeView> views = new ArrayList<>();
        for (Edge edge : edges.values()) {
            Slot closed = close(edge);
            edge.slots[slot] = closed;
            EdgeView view = view(edge, seconds);
            if (view != null) {
                views.add(view);
            }
        }
        views.sort(Comparator.comparing((EdgeView v) -> v.key().source()).thenComparing(v -> v.key().destination())
                .thenComparing(v -> v.key().traffic()));
        latest = new View(ticks, wallClock.getAsLong(), seconds, List.copyOf(views), ejectedAt(now));
        notifyAll();
        return latest;
    }

    private static Slot close(Edge edge) {
        long requests = edge.requests.sum();
        long errors = edge.errors.sum();
        long retries = edge.retries.sum();
        Histogram latency = edge.latency.getIntervalHistogram();
        long[] flags = new long[edge.flags.length];
        for (int i = 0; i < flags.length; i++) {
            long total = edge.flags[i].sum();
            flags[i] = total - edge.seenFlags[i];
            edge.seenFlags[i] = total;
        }
        Slot slot = new Slot(requests - edge.seenRequests, errors - edge.seenErrors, retries - edge.seenRetries, flags, latency);
        edge.seenRequests = requests;
        edge.seenErrors = errors;
        edge.seenRetries = retries;
        return slot;
    }

    private static EdgeView view(Edge edge, double seconds) {
        long requests = 0;
        long errors = 0;
        long retries = 0;
        long[] flags = new long[ResponseFlag.size()];
        Histogram latency = null;
        for (Slot slot : edge.slots) {
            if (slot == null || slot.requests() == 0 && slot.latency().getTotalCount() == 0) {
                continue;
            }
            requests += slot.requests();
            errors += slot.errors();
            retries += slot.retries();
            for (int i = 0; i < flags.length; i++) {
                flags[i] += slot.flags()[i];
            }
            if (latency == null) {
                latency = slot.latency().copy();
            } else {
                latency.add(slot.latency());
            }
        }
        if (requests == 0) {
            return null;
        }
        return new EdgeView(edge.key, requests, seconds > 0 ? requests / seconds : 0, errors, (double) errors / requests, retries,
                ResponseFlag.counts(flags), millis(latency, 50), millis(latency, 99), latency == null ? 0 : latency.getMaxValue() / 1000.0);
    }

    private static double millis(Histogram latency, double percentile) {
        return latency == null || latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(percentile) / 1000.0;
    }

    private Map<String, List<String>> ejectedAt(long now) {
        Map<String, List<String>> ejected = new TreeMap<>();
        ejectedUntil.forEach((endpoint, byProxy) -> {
            byProxy.values().removeIf(until -> until <= now);
            List<String> proxies = byProxy.keySet().stream().sorted().toList();
            if (!proxies.isEmpty()) {
                ejected.put(endpoint, proxies);
            }
        });
        return ejected;
    }
}
