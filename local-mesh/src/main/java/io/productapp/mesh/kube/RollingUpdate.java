package io.productapp.mesh.kube;

import java.util.Comparator;
import java.util.List;

import io.productapp.mesh.model.Workload.Strategy;

/**
 * The Deployment controller's rolling update ({@code pkg/controller/deployment/rolling.go} and
 * {@code util/deployment_util.go}), for one Deployment with an old and a new ReplicaSet. Pure: one
 * {@link #reconcile} call is one pass of the controller over what exists now.
 * <ul>
 * <li>maxSurge rounds up, maxUnavailable down; both 0 makes maxUnavailable 1.</li>
 * <li>Scale up first: the new ReplicaSet grows while all pods stay within replicas + maxSurge.</li>
 * <li>Otherwise scale down the old one: never below replicas − maxUnavailable available pods,
 * counting the new ReplicaSet's unavailable pods against it; not-available old pods go first.</li>
 * <li>A pod is available once Ready for {@code minReadySeconds}.</li>
 * </ul>
 */
public final class RollingUpdate {

    private RollingUpdate() {
    }

    /** maxSurge and maxUnavailable resolved for {@code replicas}. */
    public record Limits(int maxSurge, int maxUnavailable) {
    }

    public static Limits limits(Strategy strategy, int replicas) {
        int surge = scaled(strategy.maxSurge(), replicas, true);
        int unavailable = Math.min(scaled(strategy.maxUnavailable(), replicas, false), replicas);
        if (surge == 0 && unavailable == 0) {
            unavailable = 1;
        }
        return new Limits(surge, unavailable);
    }

    private static int scaled(String value, int replicas, boolean roundUp) {
        String v = value == null ? "25%" : value.strip();
        if (v.endsWith("%")) {
            double share = Double.parseDouble(v.substring(0, v.length() - 1)) * replicas / 100.0;
            return (int) (roundUp ? Math.ceil(share) : Math.floor(share));
        }
        return Integer.parseInt(v);
    }

    /**
     * An old pod as the controller sees it.
     *
     * @param available Ready for minReadySeconds
     * @param readySinceNanos when it became Ready (Long.MAX_VALUE when not)
     */
    public record OldPod(String name, boolean ready, boolean available, long readySinceNanos, int restarts, long createdNanos) {
    }

    /**
     * What to do now.
     *
     * @param createNew new pods to create (the new ReplicaSet's growth)
     * @param deleteOld old pods to delete, in the controller's order
     */
    public record Step(int createNew, List<String> deleteOld) {
        public boolean isEmpty() {
            return createNew == 0 && deleteOld.isEmpty();
        }
    }

    /**
     * One pass of the controller.
     *
     * @param replicas the Deployment's replicas
     * @param old the old ReplicaSet's pods (terminating ones left out: they no longer count)
     * @param newPods the new ReplicaSet's pods
     * @param newAvailable how many of those are available
     */
    public static Step reconcile(int replicas, Limits limits, List<OldPod> old, int newPods, int newAvailable) {
        int current = old.size() + newPods;
        int maxTotal = replicas + limits.maxSurge();
        if (current < maxTotal && newPods < replicas) {
            return new Step(Math.min(maxTotal - current, replicas - newPods), List.of());
        }
        int minAvailable = replicas - limits.maxUnavailable();
        int newUnavailable = newPods - newAvailable;
        int maxScaledDown = current - minAvailable - newUnavailable;
        if (maxScaledDown <= 0 || old.isEmpty()) {
            return new Step(0, List.of());
        }
        List<OldPod> ranked = old.stream().sorted(DELETION_ORDER).toList();
        java.util.ArrayList<String> delete = new java.util.ArrayList<>();
        // Not-available old pods first: they serve nobody.
        for (OldPod pod : ranked) {
            if (delete.size() < maxScaledDown && !pod.available()) {
                delete.add(pod.name());
            }
        }
        int oldAvailable = (int) old.stream().filter(OldPod::available).count();
        int scaleDown = Math.min(oldAvailable + newAvailable - minAvailable, oldAvailable);
        for (OldPod pod : ranked) {
            if (scaleDown <= 0) {
                break;
            }
            if (pod.available() && !delete.contains(pod.name())) {
                delete.add(pod.name());
                scaleDown--;
            }
        }
        return new Step(0, List.copyOf(delete));
    }

    /** The ReplicaSet controller's ranking of pods to delete: not ready first, then ready the shortest time, more restarts, newer. */
    static final Comparator<OldPod> DELETION_ORDER = Comparator.comparing((OldPod p) -> p.ready())
            .thenComparing(Comparator.comparingLong(OldPod::readySinceNanos).reversed())
            .thenComparing(Comparator.comparingInt(OldPod::restarts).reversed())
            .thenComparing(Comparator.comparingLong(OldPod::createdNanos).reversed());

    /** Whether a pod Ready since {@code readySince} is available at {@code now}. */
    public static boolean available(boolean ready, long readySince, int minReadySeconds, long now) {
        return ready && (minReadySeconds == 0 || now - readySince >= java.util.concurrent.TimeUnit.SECONDS.toNanos(minReadySeconds));
    }
}
