package io.productapp.loadtest;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.HdrHistogram.Histogram;

/**
 * Drains every sender's {@link Stats} into a {@link Window} once per window (from the reporter
 * thread), and at the end into the {@link Report}.
 */
final class Collector {
    private final List<Stats> senders;
    private final Histogram corrected = histogram();
    private final Histogram uncorrected = histogram();
    private final Map<String, Histogram> bucketLatency = new TreeMap<>();
    private final List<Window> windows = new ArrayList<>();
    private final Map<String, Long> seen = new TreeMap<>();
    private long seenRequests;
    private long seenErrors;
    private double lastSeconds;

    Collector(List<Stats> senders) {
        this.senders = senders;
    }

    private static Histogram histogram() {
        return new Histogram(Stats.HIGHEST_MICROS, Stats.DIGITS);
    }

    /** What happened since the last drain, {@code nanosSinceStart} after measuring began. */
    synchronized Window drain(long nanosSinceStart) {
        double now = nanosSinceStart / 1e9;
        Histogram interval = histogram();
        Map<String, Long> counts = new TreeMap<>();
        long requests = 0;
        long errors = 0;
        long inFlight = 0;
        for (Stats stats : senders) {
            interval.add(stats.corrected.getIntervalHistogram());
            uncorrected.add(stats.uncorrected.getIntervalHistogram());
            stats.buckets.forEach((name, bucket) -> {
                bucketLatency.computeIfAbsent(name, k -> histogram()).add(bucket.latency.getIntervalHistogram());
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
                Report.ms(interval.getMaxValue()), inFlight, split, Histograms.encode(interval));
        seenRequests = requests;
        seenErrors = errors;
        lastSeconds = now;
        windows.add(window);
        return window;
    }

    /** The whole run, {@code elapsed} seconds measured from {@code measuredFrom}; call after the last {@link #drain}. */
    synchronized Report report(LoadPlan plan, double elapsed, Instant measuredFrom) {
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
        String model = plan.model().describe()
                + (plan.worker().count() > 1 ? "; worker " + plan.worker() + " of that" : "");
        return new Report(model, plan.targets().stream().map(URI::toString).toList(), plan.split().describe(), elapsed,
                requests, transportErrors, serverErrors, bytes, behind, statuses, errors, Report.Latency.of(corrected),
                Report.Latency.of(uncorrected), Report.concurrency(corrected, elapsed), split, List.copyOf(windows),
                measuredFrom.toString(), histograms());
    }

    private Histograms histograms() {
        Map<String, String> split = new TreeMap<>();
        bucketLatency.forEach((name, histogram) -> split.put(name, Histograms.encode(histogram)));
        return new Histograms(Histograms.ENCODING, Histograms.encode(corrected), Histograms.encode(uncorrected), split);
    }
}
