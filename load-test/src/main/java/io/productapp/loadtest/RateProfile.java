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

    /** How many arrivals the profile holds: the integral of its rate, (start + end) / 2 × length per stage. */
    public double arrivals() {
        return stages.stream().mapToDouble(s -> (s.startRate() + s.endRate()) / 2 * s.length().toNanos() / 1e9).sum();
    }

    /**
     * The whole profile's send times: arrival n (n = 1, 2, ...) is when the integral of the rate
     * since the start reaches n, so {@code 200/s for 60 s} sends exactly 12,000, and a ramp from 0
     * starts slowly as its rate does.
     */
    public Schedule schedule() {
        return schedule(0, 1);
    }

    /**
     * Every {@code stride}-th arrival of the whole profile, from arrival {@code offset + 1}: one of
     * {@code stride} senders (or workers) taking turns, so that together they send exactly the
     * profile's arrivals, interleaved, whatever the number of senders.
     */
    public Schedule schedule(long offset, long stride) {
        if (offset < 0 || stride < 1 || offset >= stride) {
            throw new IllegalArgumentException("a schedule takes arrivals offset+1, offset+1+stride, ... with 0 <= offset < stride; got "
                    + offset + " and " + stride);
        }
        return new Schedule(offset + 1, stride);
    }

    /**
     * Successive send times in nanoseconds from the start, computed in closed form (no
     * integration steps): {@link #next()} is -1 after the end.
     */
    public final class Schedule {
        private final long stride;
        private long n;
        private int stage;
        private double countBefore;
        private double timeBefore;

        private Schedule(long first, long stride) {
            this.n = first;
            this.stride = stride;
        }

        public long next() {
            double target = n;
            while (stage < stages.size()) {
                Stage s = stages.get(stage);
                double length = s.length().toNanos() / 1e9;
                double count = (s.startRate() + s.endRate()) / 2 * length;
                if (countBefore + count >= target - 1e-6) { // rounding of the integral, not of the count
                    n += stride;
                    double t = timeBefore + within(s, length, Math.max(0, target - countBefore));
                    return Math.round(Math.min(t, timeBefore + length) * 1e9);
                }
                countBefore += count;
                timeBefore += length;
                stage++;
            }
            return -1;
        }

        /**
         * The time into a stage at which it has sent {@code c}: the root of a·t + k·t²/2 = c with
         * k = (end − start) / length, written 2c / (a + √(a² + 2kc)) so that it stays exact as k
         * goes to 0 and for ramps down.
         */
        private static double within(Stage s, double length, double c) {
            double a = s.startRate();
            double k = (s.endRate() - a) / length;
            double root = Math.sqrt(Math.max(0, a * a + 2 * k * c));
            return a + root == 0 ? 0 : 2 * c / (a + root);
        }
    }
}
