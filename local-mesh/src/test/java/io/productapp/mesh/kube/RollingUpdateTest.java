package io.productapp.mesh.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.productapp.mesh.kube.RollingUpdate.Limits;
import io.productapp.mesh.kube.RollingUpdate.OldPod;
import io.productapp.mesh.model.Workload.Strategy;

/**
 * A Deployment's rolling update, one pass of the controller after another: per tick, the pods it
 * creates and deletes (a new pod is available one tick after it is created), for each pair of
 * maxSurge and maxUnavailable. Never more than replicas + maxSurge pods, never fewer than
 * replicas − maxUnavailable available.
 */
class RollingUpdateTest {

    static Stream<Arguments> rollouts() {
        return Stream.of(
                Arguments.of(1, "25%", "25%", 1, 0, List.of("+1", "-old-0")),
                Arguments.of(2, "0", "1", 0, 1, List.of("-old-1 +1", "-old-0 +1")),
                Arguments.of(2, "0", "0", 0, 1, List.of("-old-1 +1", "-old-0 +1")),
                Arguments.of(3, "1", "0", 1, 0, List.of("+1", "-old-2 +1", "-old-1 +1", "-old-0")),
                Arguments.of(4, "25%", "25%", 1, 1, List.of("+1 -old-3 +1", "-old-2 -old-1 +2", "-old-0")),
                Arguments.of(3, "100%", "0", 3, 0, List.of("+3", "-old-2 -old-1 -old-0")),
                Arguments.of(2, "50%", "50%", 1, 1, List.of("+1 -old-1 +1", "-old-0")));
    }

    @ParameterizedTest(name = "replicas {0}, maxSurge {1}, maxUnavailable {2}: {5}")
    @MethodSource("rollouts")
    void theControllerCreatesAndDeletesInItsOrder(int replicas, String surge, String unavailable, int resolvedSurge,
            int resolvedUnavailable, List<String> expected) {
        Limits limits = RollingUpdate.limits(new Strategy("RollingUpdate", surge, unavailable, 0), replicas);
        assertThat(limits).isEqualTo(new Limits(resolvedSurge, resolvedUnavailable));
        List<OldPod> old = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            old.add(new OldPod("old-" + i, true, true, i, 0, i));
        }
        int newPods = 0;
        int newAvailable = 0;
        List<String> ticks = new ArrayList<>();
        for (int tick = 0; tick < 20 && (newAvailable < replicas || !old.isEmpty()); tick++) {
            List<String> actions = new ArrayList<>();
            for (RollingUpdate.Step step = RollingUpdate.reconcile(replicas, limits, old, newPods, newAvailable); !step.isEmpty();
                    step = RollingUpdate.reconcile(replicas, limits, old, newPods, newAvailable)) {
                if (step.createNew() > 0) {
                    actions.add("+" + step.createNew());
                    newPods += step.createNew();
                }
                for (String name : step.deleteOld()) {
                    actions.add("-" + name);
                    old.removeIf(p -> p.name().equals(name));
                }
                assertThat(old.size() + newPods).as("pods").isLessThanOrEqualTo(replicas + resolvedSurge);
                assertThat(old.size() + newAvailable).as("available").isGreaterThanOrEqualTo(replicas - resolvedUnavailable);
            }
            if (!actions.isEmpty()) {
                ticks.add(String.join(" ", actions));
            }
            newAvailable = newPods; // the new pods are Ready by the next tick
        }
        assertThat(ticks).isEqualTo(expected);
        assertThat(old).isEmpty();
        assertThat(newAvailable).isEqualTo(replicas);
    }
}
