package io.productapp.loadtest;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to run: targets, headers, the injection model, how long, and how to tell versions apart.
 * Requests answered during the first {@code warmup} (part of {@code duration}) are not measured.
 * A value, built once and handed to {@link LoadTest#run}.
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
        Duration warmup) {

    public LoadPlan {
        targets = List.copyOf(targets);
        headers = Map.copyOf(headers);
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(split, "split");
        warmup = warmup == null ? Duration.ZERO : warmup;
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
        this(targets, headers, model, duration, split, requestTimeout, window, seed, Duration.ZERO);
    }

    /** How load is injected. */
    public sealed interface Model permits Closed, Open {
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
    }
}
