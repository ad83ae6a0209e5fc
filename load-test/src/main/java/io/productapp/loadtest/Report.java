package io.productapp.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

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

        /** The figures of a histogram of microseconds. */
        public static Latency of(Histogram h) {
            if (h.getTotalCount() == 0) {
                return new Latency(0, 0, 0, 0, 0, 0, 0, List.of());
            }
            List<double[]> distribution = new ArrayList<>();
            for (HistogramIterationValue v : h.percentiles(5)) {
                distribution.add(new double[] { v.getPercentileLevelIteratedTo(), ms(v.getValueIteratedTo()) });
            }
            return new Latency(ms(h.getMinValue()), h.getMean() / 1000.0, ms(h.getValueAtPercentile(50)),
                    ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)),
                    ms(h.getMaxValue()), distribution);
        }
    }

    /** One version's part of the traffic, with its 95% (Wilson) interval, latency and errors. */
    public record Share(long count, double percent, double lowPercent, double highPercent, long errors, double p50Ms,
            double p99Ms) {

        /** {@code count} of {@code answered} answers, {@code errors} of them 5xx, their latency in microseconds. */
        public static Share of(long count, long answered, long errors, Histogram latency) {
            double[] interval = Statistics.wilson(count, answered);
            return new Share(count, answered == 0 ? 0 : 100.0 * count / answered, 100 * interval[0], 100 * interval[1], errors,
                    ms(latency.getValueAtPercentile(50)), ms(latency.getValueAtPercentile(99)));
        }
    }

    static double ms(long micros) {
        return micros / 1000.0;
    }

    /** Mean requests in flight over {@code elapsed} seconds: the time they took, summed, over the time. */
    static double concurrency(Histogram corrected, double elapsed) {
        return corrected.getTotalCount() == 0 ? 0 : corrected.getMean() * corrected.getTotalCount() / 1e6 / elapsed;
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
