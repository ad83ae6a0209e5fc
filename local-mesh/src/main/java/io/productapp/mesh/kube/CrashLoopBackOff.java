package io.productapp.mesh.kube;

import java.util.concurrent.TimeUnit;

/**
 * The kubelet's restart back-off for one container ({@code doBackOff} in
 * {@code pkg/kubelet/kuberuntime}, over client-go's {@code flowcontrol.Backoff}): the first exit
 * is restarted at once; each later one waits 10 s, then 20, 40, ... up to 300 s, counted from
 * when the container finished; a container that ran for more than 10 minutes since the last
 * restart starts over, restarted at once. Pure: the caller says the times.
 */
public final class CrashLoopBackOff {

    public static final long INITIAL = TimeUnit.SECONDS.toNanos(10);
    public static final long MAX = TimeUnit.SECONDS.toNanos(300);
    /** Twice the cap: an entry this old (since its last restart) no longer counts. */
    public static final long EXPIRY = 2 * MAX;

    private long backoff = -1;
    private long lastUpdate;

    private boolean fresh(long finishedAt) {
        return backoff < 0 || finishedAt - lastUpdate > EXPIRY;
    }

    /** The earliest time a container that finished at {@code finishedAt} may start again. */
    public long restartAt(long finishedAt) {
        return fresh(finishedAt) ? finishedAt : finishedAt + backoff;
    }

    /** The container that finished at {@code finishedAt} is started again at {@code now}: the next wait doubles. */
    public void restarted(long finishedAt, long now) {
        backoff = fresh(finishedAt) ? INITIAL : Math.min(2 * backoff, MAX);
        lastUpdate = now;
    }
}
