package io.productapp.mesh.kube;

import java.util.concurrent.TimeUnit;

import io.productapp.mesh.model.Workload.Probe;

/**
 * One probe of one pod's container, as the kubelet's probe worker runs it
 * ({@code pkg/kubelet/prober/worker.go}). Pure: the caller says what time it is.
 * <ul>
 * <li>The worker is made with the pod and ticks every {@code periodSeconds} from then on, across
 * container restarts. A tick probes only while the container runs, once
 * {@code initialDelaySeconds} (whole seconds) have passed since it started; liveness and
 * readiness only once the container has started (its startup probe passed, or it has none); the
 * startup probe only until then.</li>
 * <li>Readiness is also probed at once, out of turn, when the container has just started (its
 * startup probe passed, or it has none): the kubelet's manual trigger when the pod's status
 * changes and readiness is not yet a success. That probe restarts its ticker.</li>
 * <li>Before any result, readiness is a failure, liveness a success, startup unknown; a new
 * container starts over from these. A result changes after {@code failureThreshold} failures or
 * {@code successThreshold} successes in a row. A liveness or startup failure holds the worker
 * until the next container.</li>
 * </ul>
 */
public final class ProbeWorker {

    public enum Kind {
        STARTUP, LIVENESS, READINESS
    }

    public enum Result {
        SUCCESS, FAILURE, UNKNOWN
    }

    private final Kind kind;
    private final Probe spec;
    private final long period;
    private long nextTick;
    private long containerStarted = -1;
    private Result result;
    private Result lastRaw;
    private int run;
    private boolean onHold;
    private boolean triggered;

    /** A worker made at {@code created}: its first tick is then. */
    public ProbeWorker(Kind kind, Probe spec, long created) {
        this.kind = kind;
        this.spec = spec;
        this.period = TimeUnit.SECONDS.toNanos(Math.max(1, spec.periodSeconds()));
        this.nextTick = created;
        this.result = initial();
    }

    private Result initial() {
        return switch (kind) {
            case READINESS -> Result.FAILURE;
            case LIVENESS -> Result.SUCCESS;
            case STARTUP -> Result.UNKNOWN;
        };
    }

    public Kind kind() {
        return kind;
    }

    public Probe spec() {
        return spec;
    }

    public Result result() {
        return result;
    }

    /** A new container runs from {@code now}: the results start over. */
    public void containerStarted(long now) {
        containerStarted = now;
        result = initial();
        lastRaw = null;
        run = 0;
        onHold = false;
    }

    /** The container stopped: not ready until a new one passes. */
    public void containerStopped() {
        containerStarted = -1;
        if (kind == Kind.READINESS) {
            result = Result.FAILURE;
        }
    }

    /** When the ticker fires next. */
    public long nextTick() {
        return nextTick;
    }

    /**
     * The ticker fired (at or after {@link #nextTick()}): whether to probe now, given whether the
     * container has started; the next tick is one period on.
     */
    public boolean tick(long now, boolean started) {
        while (nextTick <= now) {
            nextTick += period;
        }
        return eligible(now, started);
    }

    /** The container has just started: a readiness probe that is not a success is to run out of turn. */
    public void containerHasStarted() {
        triggered = kind == Kind.READINESS && result != Result.SUCCESS;
    }

    /**
     * Whether the manual trigger makes a probe due now; when it does, its ticker restarts from
     * now. A trigger that finds the probe not yet eligible (its initial delay) is dropped: the
     * ticks take over.
     */
    public boolean trigger(long now, boolean started) {
        if (!triggered) {
            return false;
        }
        triggered = false;
        if (result == Result.SUCCESS || !eligible(now, started)) {
            return false;
        }
        nextTick = now + period;
        return true;
    }

    private boolean eligible(long now, boolean started) {
        if (containerStarted < 0 || onHold) {
            return false;
        }
        if (TimeUnit.NANOSECONDS.toSeconds(now - containerStarted) < spec.initialDelaySeconds()) {
            return false;
        }
        return kind == Kind.STARTUP ? !started : started;
    }

    /** A probe's outcome; returns true when it changed the result. */
    public boolean record(boolean success) {
        Result raw = success ? Result.SUCCESS : Result.FAILURE;
        if (raw == lastRaw) {
            run++;
        } else {
            lastRaw = raw;
            run = 1;
        }
        int threshold = success ? Math.max(1, spec.successThreshold()) : Math.max(1, spec.failureThreshold());
        if (run < threshold) {
            return false;
        }
        boolean changed = result != raw;
        result = raw;
        if (raw == Result.FAILURE && kind != Kind.READINESS) {
            onHold = true; // the container is killed; nothing more to probe until the next one
            run = 0;
        }
        return changed;
    }
}
