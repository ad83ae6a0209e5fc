package io.productapp.loadtest;

import java.util.Map;

/**
 * One reporting window (one second by default): throughput, latency, errors and split then;
 * {@code histogram} is its latency histogram (see {@link Histograms}).
 */
public record Window(double startSeconds, double seconds, long requests, long errors, double p50Ms, double p99Ms,
        double maxMs, long inFlight, Map<String, Long> split, String histogram) {

    public double rate() {
        return seconds <= 0 ? 0 : requests / seconds;
    }
}
