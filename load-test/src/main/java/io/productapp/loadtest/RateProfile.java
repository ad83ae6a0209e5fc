package io.productapp.loadtest;

import java.time.Duration;
import java.util.List;

/** An arrival rate over time: constant stages and linear ramps, one after another. */
public final class RateProfile {

    /** One stage: from {@code startRate} to {@code endRate} requests/s over {@code length}. */
    public record Stage(double startRate, double endRate, Duration length) {
        public Stage {
            if (startRate < 0 || endRate < 0) {
                throw new IllegalArgumentException("rates must not be negative");
            }
            if (length.isZero() || length.isNegative()) {
                throw new IllegalArgumentException("a stage needs a positive length");
            }
        }
    }

    private final List<Stage> stages;

    private RateProfile(List<Stage> stages) {
        this.stages = List.copyOf(stages);
    }

    public static RateProfile of(List<Stage> stages) {
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("a rate profile needs at least one stage");
        }
        return new RateProfile(stages);
    }

    public static RateProfile constant(double rate, Duration length) {
        return of(List.of(new Stage(rate, rate, length)));
    }

    public List<Stage> stages() {
        return stages;
    }

    public Duration length() {
        return stages.stream().map(Stage::length).reduce(Duration.ZERO, Duration::plus);
    }

    /** The rate (requests/s) at {@code seconds} after the start; 0 after the end. */
    public double rateAt(double seconds) {
        double start = 0;
        for (Stage stage : stages) {
            double length = stage.length().toNanos() / 1e9;
            if (seconds < start + length) {
                double f = (seconds - start) / length;
                return stage.startRate() + f * (stage.endRate() - stage.startRate());
            }
            start += length;
        }
        return 0;
    }

    /**
     * The scheduled send times of this profile scaled by {@code share} (one of several senders),
     * lazily: each next time is where the integral of the rate since the previous one reaches 1.
     */
    public Schedule schedule(double share) {
        return new Schedule(share);
    }

    /** Successive send times in nanoseconds from the start; {@link #next()} is -1 after the end. */
    public final class Schedule {
        private static final double STEP = 1e-4; // integration step: 0.1 ms
        private final double share;
        private final double end = length().toNanos() / 1e9;
        private double t;
        private double accumulated;

        private Schedule(double share) {
            this.share = share;
        }

        public long next() {
            while (t < end) {
                if (accumulated >= 1) {
                    accumulated -= 1;
                    return (long) (t * 1e9);
                }
                accumulated += rateAt(t) * share * STEP;
                t += STEP;
            }
            return -1;
        }
    }
}
