package io.productapp.mesh.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import io.productapp.loadtest.Window;

/**
 * When a warm-up load has done its work: the rate of answered pages has stopped rising. A JVM's
 * throughput climbs while its JIT compiles the hot path (in steps of tens of percent every few
 * seconds here) and then stays within this VM's noise; so once {@link #minimum} has passed, the
 * load may stop at the first window after which the mean rate of the last {@link #BLOCK} is at
 * most {@link #RISE} above the mean rate of the block before it. Failed pages do not count: a
 * failing service is fast, not warm.
 */
final class LevelledOff implements Predicate<Window> {

    /** The span each mean covers. */
    static final Duration BLOCK = Duration.ofSeconds(5);
    /** How far a block's rate may lie from the one before it, either way, and still count as level. */
    static final double BAND = 0.05;

    private final Duration minimum;
    private final List<Window> windows = new ArrayList<>();
    private double levelRate;

    /** @param minimum the load runs at least this long, whatever the rates say */
    LevelledOff(Duration minimum) {
        this.minimum = minimum;
    }

    @Override
    public boolean test(Window window) {
        windows.add(window);
        double seconds = window.startSeconds() + window.seconds();
        if (seconds < minimum.toMillis() / 1000.0) {
            return false;
        }
        double block = BLOCK.toMillis() / 1000.0;
        double last = rate(seconds - block, seconds);
        double before = rate(seconds - 2 * block, seconds - block);
        if (Double.isNaN(last) || Double.isNaN(before) || Math.abs(last - before) > before * BAND) {
            return false;
        }
        levelRate = last;
        return true;
    }

    /** The answered pages/s of the last block, once it levelled off; 0 before. */
    double levelRate() {
        return levelRate;
    }

    /** Answered pages/s of the windows that started in [from, to); NaN when none did or the span is not all there. */
    private double rate(double from, double to) {
        if (from < -1e-9) {
            return Double.NaN;
        }
        long answered = 0;
        double seconds = 0;
        for (Window w : windows) {
            if (w.startSeconds() >= from - 1e-9 && w.startSeconds() < to - 1e-9) {
                answered += w.requests() - w.errors();
                seconds += w.seconds();
            }
        }
        return seconds < (to - from) * 0.9 ? Double.NaN : answered / seconds;
    }
}
