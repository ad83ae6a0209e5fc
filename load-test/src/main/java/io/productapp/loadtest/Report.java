package io.productapp.loadtest;

import java.util.List;
import java.util.Map;

/**
 * The outcome of a run. Latencies in milliseconds; {@code startTime} is when measuring began
 * (ISO-8601, after any warm-up), {@code histograms} the latency histograms the figures come from. "Errors" are transport failures (refused,
 * timeout, reset, ...) plus HTTP 5xx answers; siege's availability counts transport failures only.
 */
public record Report(
        String model,
        List<String> targets,
        String splitBy,
        double elapsedSeconds,
        long requests,
        long transportErrors,
        long serverErrors,
        long bytes,
        long behindSchedule,
        Map<Integer, Long> statuses,
        Map<String, Long> errors,
        Latency latency,
        Latency uncorrectedLatency,
        double concurrency,
        Map<String, Share> split,
        List<Window> windows,
        String startTime,
        Histograms histograms) {

    public record Latency(double minMs, double meanMs, double p50Ms, double p90Ms, double p99Ms, double p999Ms,
            double maxMs, List<double[]> distribution) {
    }

    /** One version's part of the traffic, with its 95% (Wilson) interval, latency and errors. */
    public record Share(long count, double percent, double lowPercent, double highPercent, long errors, double p50Ms,
            double p99Ms) {
    }

    public long errorCount() {
        return transportErrors + serverErrors;
    }

    public double errorPercent() {
        return requests == 0 ? 0 : 100.0 * errorCount() / requests;
    }

    public long answered() {
        return requests - transportErrors;
    }

    public double rate() {
        return elapsedSeconds <= 0 ? 0 : requests / elapsedSeconds;
    }
}
