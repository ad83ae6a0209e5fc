package io.productapp.loadtest;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to run: targets, headers, the injection model, how long, and how to tell versions apart.
 * Requests answered during the first {@code warmup} (part of {@code duration}) are not measured.
 * A {@code worker} runs its share of the model, one of several processes loading the target
 * together from {@code startAt} (null: at once). A value, built once and handed to {@link LoadTest#run}.
 */
public record LoadPlan(
        List<URI> targets,
        Map<String, String> headers,
        Model model,
        Duration duration,
        SplitRule split,
        Duration requestTimeout,
        Duration window,
        long seed,
        Duration warmup,
        Worker worker,
        Instant startAt) {

    public LoadPlan {
        targets = List.copyOf(targets);
        headers = Map.copyOf(headers);
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(split, "split");
        warmup = warmup == null ? Duration.ZERO : warmup;
        worker = worker == null ? Worker.ALONE : worker;
        if (model instanceof Closed closed && closed.users() < worker.count()) {
            throw new IllegalArgumentException(closed.users() + " users across " + worker.count()
                    + " workers leave some without users: give at least one user per worker");
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("at least one URL is required");
        }
        if (duration == null && !(model instanceof Closed closed && closed.repetitions() > 0)) {
            throw new IllegalArgumentException("a duration is required unless repetitions are given");
        }
    }

    /** A plan without warm-up (every request is measured). */
    public LoadPlan(List<URI> targets, Map<String, String> headers, Model model, Duration duration, SplitRule split,
            Duration requestTimeout, Duration window, long seed) {
        this(targets, headers, model, duration, split, requestTimeout, window, seed, Duration.ZERO, Worker.ALONE, null);
    }

    /** Users of the closed model that this worker runs: its share of them, spread evenly. */
    public int users() {
        return worker.share(((Closed) model).users());
    }

    /**
     * This process's part of a load run by {@code count} processes together: worker {@code index}
     * (0-based) runs its share of the closed model's users and every {@code count}-th arrival of
     * the open model's schedule, so that the workers together run exactly the whole model.
     */
    public record Worker(int index, int count) {
        public static final Worker ALONE = new Worker(0, 1);

        public Worker {
            if (count < 1 || index < 0 || index >= count) {
                throw new IllegalArgumentException("worker " + index + "/" + count + ": expected K/N with N >= 1 and 0 <= K < N");
            }
        }

        /** This worker's part of n (users, connections), spread evenly: the first n % count get one more. */
        public int share(int n) {
            return n / count + (index < n % count ? 1 : 0);
        }

        @Override
        public String toString() {
            return index + "/" + count;
        }
    }

    /** How load is injected. */
    public sealed interface Model permits Closed, Open {
        /** In words, for the report. */
        String describe();
    }

    /**
     * siege's model: {@code users} each send a request, wait for the answer, pause a random
     * 0..{@code maxDelay} (none when zero: siege -b), and go again; {@code repetitions} > 0 stops
     * each user after that many requests (siege -r).
     */
    public record Closed(int users, Duration maxDelay, long repetitions) implements Model {
        public Closed {
            if (users < 1) {
                throw new IllegalArgumentException("users must be at least 1, got " + users);
            }
        }

        @Override
        public String describe() {
            return "closed: " + users + " users"
                    + (maxDelay.isZero() ? ", no delay" : ", random delay 0-" + maxDelay.toMillis() / 1000.0 + " s")
                    + (repetitions > 0 ? ", " + repetitions + " requests each" : "");
        }
    }

    /**
     * Requests sent at scheduled times whatever the answers (Gatling's open injection); latency
     * is measured from the scheduled time, so a stalled server cannot hide its stall.
     */
    public record Open(RateProfile profile, int maxConnections) implements Model {
        public Open {
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1, got " + maxConnections);
            }
        }

        @Override
        public String describe() {
            List<String> parts = new ArrayList<>();
            for (RateProfile.Stage stage : profile.stages()) {
                parts.add(stage.startRate() == stage.endRate()
                        ? rate(stage.startRate()) + "/s for " + stage.length().toMillis() / 1000.0 + " s"
                        : "ramp " + rate(stage.startRate()) + "-" + rate(stage.endRate()) + "/s over " + stage.length().toMillis() / 1000.0 + " s");
            }
            return "open: " + String.join(", then ", parts) + ", up to " + maxConnections + " connections";
        }

        private static String rate(double rate) {
            return rate == Math.rint(rate) ? String.valueOf((long) rate) : String.valueOf(rate);
        }
    }
}
