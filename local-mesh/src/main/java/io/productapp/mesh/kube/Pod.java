package io.productapp.mesh.kube;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.productapp.mesh.kube.ProbeWorker.Kind;
import io.productapp.mesh.kube.ProbeWorker.Result;
import io.productapp.mesh.model.Workload.PodSpec;

/**
 * One pod as the kubelet and the endpoints controller see it, with one container: its probes,
 * its restarts with the kubelet's back-off, its readiness and whether it is an endpoint, its
 * termination. Pure: whoever runs it (the local mesh's {@code Kubelet}) starts and stops the
 * process, runs the probes it asks for, and tells it what happened and when.
 * <ul>
 * <li>An endpoint of its Services while Ready and not terminating.</li>
 * <li>Ready while its container runs, has started (startup probe passed, or none) and its
 * readiness probe's result is a success (or it has none).</li>
 * <li>When the container exits (any code) or fails its liveness or startup probe, and the pod is
 * not terminating, the container is started again after {@link CrashLoopBackOff}'s wait
 * ({@code restartPolicy: Always}; {@code OnFailure} only after a failure; {@code Never} not at
 * all). RESTARTS counts the restarts.</li>
 * <li>Deleted: terminating at once (no longer an endpoint), SIGTERM once its in-flight requests
 * ended (its caller decides when), SIGKILL at the end of the grace period (at least 2 s).</li>
 * </ul>
 */
public final class Pod {

    /** Where the container is. */
    public enum State {
        /** Its process runs. */
        RUNNING,
        /** It exited; the kubelet has not decided yet (Error, Completed). */
        EXITED,
        /** It exited and waits out the back-off before it starts again (CrashLoopBackOff). */
        BACK_OFF,
        /** It exited and will not start again (terminating, or restartPolicy). */
        STOPPED
    }

    /** What the kubelet must do to the process. */
    public enum Action {
        /** Start the container again (the back-off is over). */
        START,
        /** Kill it: a liveness or startup probe failed (SIGTERM, then SIGKILL after the grace period). */
        KILL,
        /** Send SIGTERM: the pod is terminating and its requests have ended. */
        TERMINATE,
        /** Send SIGKILL: the grace period is over. */
        FORCE_KILL
    }

    private final String name;
    private final PodSpec spec;
    private final long created;
    private final List<ProbeWorker> probes = new ArrayList<>();
    private final CrashLoopBackOff backOff = new CrashLoopBackOff();

    private State state = State.STOPPED;
    private long containerStarted = -1;
    private long finishedAt = -1;
    private int exitCode;
    private int restarts;
    private long lastTermination = -1;
    private long restartAt = -1;
    private boolean killed;
    /** When SIGKILL is due (a kill or a deletion with its grace period), or -1. */
    private long forceKillAt = -1;
    private long readySince = Long.MAX_VALUE;
    private boolean ready;
    private long deletedAt = -1;
    private boolean terminateSent;

    public Pod(String name, PodSpec spec, long created) {
        this.name = name;
        this.spec = spec;
        this.created = created;
        if (spec.startup() != null) {
            probes.add(new ProbeWorker(Kind.STARTUP, spec.startup(), created));
        }
        if (spec.liveness() != null) {
            probes.add(new ProbeWorker(Kind.LIVENESS, spec.liveness(), created));
        }
        if (spec.readiness() != null) {
            probes.add(new ProbeWorker(Kind.READINESS, spec.readiness(), created));
        }
    }

    public String name() {
        return name;
    }

    public PodSpec spec() {
        return spec;
    }

    public long created() {
        return created;
    }

    public State state() {
        return state;
    }

    public int restarts() {
        return restarts;
    }

    /** When the container last finished (for RESTARTS' "(5s ago)"), or -1. */
    public long lastTermination() {
        return lastTermination;
    }

    public int exitCode() {
        return exitCode;
    }

    public boolean terminating() {
        return deletedAt >= 0;
    }

    public long deletedAt() {
        return deletedAt;
    }

    /** The Ready condition. */
    public boolean ready() {
        return ready;
    }

    /** Since when it has been Ready (Long.MAX_VALUE when not). */
    public long readySince() {
        return readySince;
    }

    /** Whether it is an endpoint of the Services that select it: Ready and not terminating. */
    public boolean endpoint() {
        return ready && !terminating();
    }

    // ---- the container ------------------------------------------------------------------------

    /** Its (new) container's process runs from {@code now}. */
    public void started(long now) {
        state = State.RUNNING;
        containerStarted = now;
        killed = false;
        forceKillAt = -1;
        restartAt = -1;
        probes.forEach(p -> p.containerStarted(now));
        if (hasStarted()) {
            probes.forEach(ProbeWorker::containerHasStarted);
        }
        update(now);
    }

    /** The container's process ended with {@code code} at {@code now}. */
    public void exited(int code, long now) {
        state = State.EXITED;
        exitCode = code;
        finishedAt = now;
        forceKillAt = -1;
        lastTermination = now;
        probes.forEach(ProbeWorker::containerStopped);
        update(now);
        boolean failed = code != 0 || killed;
        boolean restart = !terminating() && switch (spec.restartPolicy()) {
            case "Never" -> false;
            case "OnFailure" -> failed;
            default -> true;
        };
        if (!restart) {
            state = State.STOPPED;
            return;
        }
        restartAt = backOff.restartAt(finishedAt);
        if (restartAt > now) {
            state = State.BACK_OFF;
        }
    }

    /** Whether the container runs and has started: its startup probe passed, or it has none. */
    private boolean hasStarted() {
        if (state != State.RUNNING) {
            return false;
        }
        for (ProbeWorker probe : probes) {
            if (probe.kind() == Kind.STARTUP) {
                return probe.result() == Result.SUCCESS;
            }
        }
        return true;
    }

    // ---- what to do now ------------------------------------------------------------------------

    /** The probes to run now (their ticks are due, or readiness is triggered). */
    public List<ProbeWorker> dueProbes(long now) {
        List<ProbeWorker> due = new ArrayList<>();
        boolean started = hasStarted();
        for (ProbeWorker probe : probes) {
            boolean byTrigger = probe.trigger(now, started);
            boolean byTick = probe.nextTick() <= now && probe.tick(now, started);
            if (byTrigger || byTick) {
                due.add(probe);
            }
        }
        return due;
    }

    /** What the process needs now, or null; each action is given once. */
    public Action action(long now) {
        if (state == State.RUNNING && forceKillAt >= 0 && now >= forceKillAt) {
            forceKillAt = -1;
            return Action.FORCE_KILL;
        }
        if (terminating()) {
            return null;
        }
        if ((state == State.EXITED || state == State.BACK_OFF) && restartAt >= 0 && now >= restartAt) {
            return Action.START;
        }
        return null;
    }

    /** The kubelet starts the container again now (after {@link Action#START}). */
    public void restarting(long now) {
        backOff.restarted(finishedAt, now);
        restarts++;
        restartAt = -1;
    }

    /**
     * A probe's outcome at {@code now}. Returns {@link Action#KILL} when it makes the kubelet kill
     * the container (a liveness or startup probe reached its failure threshold), else null.
     */
    public Action probed(ProbeWorker probe, boolean success, long now) {
        if (state != State.RUNNING || terminating() && probe.kind() != Kind.READINESS) {
            return null;
        }
        boolean wasStarted = hasStarted();
        probe.record(success);
        if (!wasStarted && hasStarted()) {
            probes.forEach(ProbeWorker::containerHasStarted);
        }
        update(now);
        if (probe.kind() != Kind.READINESS && probe.result() == Result.FAILURE && !killed) {
            killed = true;
            forceKillAt = now + gracePeriod();
            return Action.KILL;
        }
        return null;
    }

    /** The earliest moment something is due: a probe tick, a restart, the end of the grace period. */
    public long nextWake() {
        long next = Long.MAX_VALUE;
        if (state == State.RUNNING) {
            for (ProbeWorker probe : probes) {
                next = Math.min(next, probe.nextTick());
            }
        }
        if (restartAt >= 0 && !terminating()) {
            next = Math.min(next, restartAt);
        }
        if (forceKillAt >= 0 && state == State.RUNNING) {
            next = Math.min(next, forceKillAt);
        }
        return next;
    }

    // ---- termination -----------------------------------------------------------------------------

    /** Deleted at {@code now}: terminating, no longer an endpoint; the liveness and startup probes stop. */
    public void delete(long now) {
        if (deletedAt < 0) {
            deletedAt = now;
            restartAt = -1;
            if (state == State.RUNNING) {
                forceKillAt = now + gracePeriod();
            }
            if (state == State.EXITED || state == State.BACK_OFF) {
                state = State.STOPPED;
            }
        }
    }

    /** Whether SIGTERM may go now: terminating, running, not sent yet. The caller waits for in-flight requests first. */
    public boolean mayTerminate() {
        return terminating() && state == State.RUNNING && !terminateSent;
    }

    public void terminateSent() {
        terminateSent = true;
    }

    /** The grace period: terminationGracePeriodSeconds, at least 2 s as the kubelet floors it. */
    public long gracePeriod() {
        return TimeUnit.SECONDS.toNanos(Math.max(2, spec.terminationGracePeriodSeconds()));
    }

    private void update(long now) {
        boolean readiness = true;
        for (ProbeWorker probe : probes) {
            if (probe.kind() == Kind.READINESS) {
                readiness = probe.result() == Result.SUCCESS;
            }
        }
        boolean nowReady = state == State.RUNNING && hasStarted() && readiness;
        if (nowReady && !ready) {
            readySince = now;
        } else if (!nowReady) {
            readySince = Long.MAX_VALUE;
        }
        ready = nowReady;
    }

    // ---- kubectl --------------------------------------------------------------------------------

    /**
     * The STATUS column as kubectl prints it for this pod: Terminating; CrashLoopBackOff while
     * waiting to restart; Error or Completed right after an exit; Running otherwise (a running pod
     * that is not Ready is Running with READY 0/1).
     */
    public String status() {
        if (terminating()) {
            return "Terminating";
        }
        return switch (state) {
            case RUNNING -> "Running";
            case BACK_OFF -> "CrashLoopBackOff";
            case EXITED, STOPPED -> exitCode == 0 && !killed ? "Completed" : "Error";
        };
    }

    /** READY as kubectl prints it: ready containers / containers. */
    public String readyColumn() {
        return (ready && state == State.RUNNING ? 1 : 0) + "/1";
    }

    /** RESTARTS as kubectl prints it: {@code 2 (15s ago)}. */
    public String restartsColumn(long now) {
        return restarts == 0 || lastTermination < 0 ? String.valueOf(restarts)
                : restarts + " (" + Kubectl.age(now - lastTermination) + " ago)";
    }
}
