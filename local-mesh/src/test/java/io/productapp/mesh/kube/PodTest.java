package io.productapp.mesh.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.productapp.mesh.kube.ProbeWorker.Kind;
import io.productapp.mesh.model.Workload.PodSpec;
import io.productapp.mesh.model.Workload.Probe;

/**
 * A pod's probes, restarts and termination as the kubelet and the endpoints controller decide
 * them, on a clock moved by hand one second at a time: when the pod becomes an endpoint of its
 * Services and when it stops being one, when its container is killed and started again.
 */
class PodTest {

    static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    /** The chart's probes: startup every 2 s (60 failures), liveness every 10 s (3), readiness every 5 s (2). */
    static final Probe STARTUP = new Probe("/q/health/live", "http", 0, 2, 2, 1, 60);
    static final Probe LIVENESS = new Probe("/q/health/live", "http", 0, 10, 2, 1, 3);
    static final Probe READINESS = new Probe("/q/health/ready", "http", 0, 5, 2, 1, 2);

    /**
     * Runs a pod created and started at 0 for {@code seconds}, answering each probe as the
     * predicates say for that second (the app up, its readiness); returns when it went in and out
     * of the endpoints, and when its container was killed.
     */
    static List<String> timeline(PodSpec spec, int seconds, IntPredicate live, IntPredicate ready) {
        Pod pod = new Pod("catalogdetail-0", spec, 0);
        pod.started(0);
        List<String> events = new ArrayList<>();
        boolean endpoint = false;
        for (int t = 0; t <= seconds; t++) {
            long now = t * SECOND;
            // A probe's result can make another due at once (startup passing triggers readiness).
            for (List<ProbeWorker> due = pod.dueProbes(now); !due.isEmpty(); due = pod.dueProbes(now)) {
                for (ProbeWorker probe : due) {
                    boolean success = probe.kind() == Kind.READINESS ? ready.test(t) : live.test(t);
                    if (pod.probed(probe, success, now) == Pod.Action.KILL) {
                        events.add("kill@" + t);
                    }
                }
            }
            if (pod.endpoint() != endpoint) {
                endpoint = pod.endpoint();
                events.add((endpoint ? "in@" : "out@") + t);
            }
        }
        return events;
    }

    static Stream<Arguments> probeTimelines() {
        PodSpec readinessOnly = new PodSpec(null, null, READINESS, "Always", 30);
        PodSpec chart = new PodSpec(STARTUP, LIVENESS, READINESS, "Always", 30);
        PodSpec delayed = new PodSpec(null, null, new Probe("/ready", "http", 7, 5, 1, 1, 3), "Always", 30);
        PodSpec twoSuccesses = new PodSpec(null, null, new Probe("/ready", "http", 0, 5, 1, 2, 1), "Always", 30);
        return Stream.of(
                Arguments.of("ready at once: probed as the container starts", readinessOnly, 12, always(), always(), List.of("in@0")),
                Arguments.of("ready from 7 s: probed at 0 (triggered), then at 5 and 10", readinessOnly, 12, always(), from(7),
                        List.of("in@10")),
                Arguments.of("startup passes at 4 s: readiness triggered at once", chart, 12, from(3), always(), List.of("in@4")),
                Arguments.of("no readiness before the startup probe passes, whatever it would say", chart, 12, from(9), always(),
                        List.of("in@10")),
                Arguments.of("two readiness failures in a row take it out; one success brings it back", readinessOnly, 40, always(),
                        (IntPredicate) t -> t < 18 || t >= 30, List.of("in@0", "out@25", "in@30")),
                Arguments.of("one failure is not enough", readinessOnly, 40, always(), (IntPredicate) t -> t != 20, List.of("in@0")),
                Arguments.of("initial delay: no probe before 7 s, then every 5 s from the pod's start", delayed, 20, always(), always(),
                        List.of("in@10")),
                Arguments.of("successThreshold 2: two successes in a row", twoSuccesses, 20, always(), always(), List.of("in@5")),
                Arguments.of("liveness fails three times in a row: killed (out once the process has gone)", chart, 60, (IntPredicate) t -> t < 15,
                        always(), List.of("in@0", "kill@40")));
    }

    private static IntPredicate always() {
        return t -> true;
    }

    private static IntPredicate from(int second) {
        return t -> t >= second;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("probeTimelines")
    void probesPutThePodInAndOutOfTheEndpointsAtTheRightTick(String name, PodSpec spec, int seconds, IntPredicate live,
            IntPredicate ready, List<String> expected) {
        assertThat(timeline(spec, seconds, live, ready)).isEqualTo(expected);
    }

    /** Runs every probe due at {@code now}, all answering {@code success}, until none is due. */
    static void probe(Pod pod, long now, boolean success) {
        for (List<ProbeWorker> due = pod.dueProbes(now); !due.isEmpty(); due = pod.dueProbes(now)) {
            due.forEach(p -> pod.probed(p, success, now));
        }
    }

    @Test
    void aKilledContainerIsRestartedAtOnceAndNotReadyUntilItsProbesPassAgain() {
        Pod pod = new Pod("catalogdetail-0", new PodSpec(STARTUP, LIVENESS, READINESS, "Always", 30), 0);
        pod.started(0);
        probe(pod, 0, true);
        assertThat(pod.endpoint()).as("startup passed at 0, readiness triggered at once").isTrue();
        for (int t = 1; t < 3; t++) {
            probe(pod, t * SECOND, true);
        }
        pod.exited(137, 3 * SECOND);
        assertThat(pod.endpoint()).isFalse();
        assertThat(pod.status()).isEqualTo("Error");
        assertThat(pod.action(3 * SECOND)).as("the first exit is restarted at once").isEqualTo(Pod.Action.START);
        pod.restarting(3 * SECOND);
        pod.started(3 * SECOND);
        assertThat(pod.restarts()).isEqualTo(1);
        assertThat(List.of(pod.readyColumn(), pod.status())).containsExactly("0/1", "Running");
        probe(pod, 3 * SECOND, true);
        assertThat(pod.endpoint()).as("the startup probe ticks every 2 s from the pod's creation: next at 4 s").isFalse();
        probe(pod, 4 * SECOND, true);
        assertThat(pod.endpoint()).as("startup passed at 4 s, readiness at once").isTrue();
        assertThat(pod.restartsColumn(10 * SECOND)).isEqualTo("1 (7s ago)");
    }

    /** Each exit right after its start: the kubelet's back-off before each restart. */
    @Test
    void crashLoopBackOffWaitsZeroThenTenSecondsDoublingToFiveMinutes() {
        Pod pod = new Pod("frontend-0", new PodSpec(null, null, null, "Always", 30), 0);
        long now = 0;
        pod.started(now);
        List<Long> waits = new ArrayList<>();
        for (int crash = 0; crash < 9; crash++) {
            now += SECOND; // runs a second, then dies
            pod.exited(1, now);
            long exited = now;
            while (pod.action(now) != Pod.Action.START) {
                assertThat(pod.status()).isEqualTo("CrashLoopBackOff");
                now += SECOND;
            }
            waits.add((now - exited) / SECOND);
            pod.restarting(now);
            pod.started(now);
        }
        assertThat(waits).containsExactly(0L, 10L, 20L, 40L, 80L, 160L, 300L, 300L, 300L);
        assertThat(pod.restarts()).isEqualTo(9);
    }

    @Test
    void aContainerThatRanTenMinutesStartsOverWithoutWaiting() {
        Pod pod = new Pod("frontend-0", new PodSpec(null, null, null, "Always", 30), 0);
        pod.started(0);
        pod.exited(1, SECOND);
        pod.restarting(SECOND);
        pod.started(SECOND);
        pod.exited(1, 2 * SECOND);
        assertThat(pod.action(2 * SECOND)).as("within the back-off").isNull();
        assertThat(pod.action(12 * SECOND)).isEqualTo(Pod.Action.START);
        pod.restarting(12 * SECOND);
        pod.started(12 * SECOND);
        long later = (12 + 601) * SECOND;
        pod.exited(1, later);
        assertThat(pod.action(later)).as("ran more than 10 minutes: restarted at once").isEqualTo(Pod.Action.START);
    }

    static Stream<Arguments> restartPolicies() {
        return Stream.of(Arguments.of("Always", 0, true), Arguments.of("Always", 1, true), Arguments.of("OnFailure", 0, false),
                Arguments.of("OnFailure", 137, true), Arguments.of("Never", 1, false));
    }

    @ParameterizedTest(name = "restartPolicy {0}, exit code {1}: restarted {2}")
    @MethodSource("restartPolicies")
    void theRestartPolicySaysWhetherAnExitedContainerStartsAgain(String policy, int code, boolean restarted) {
        Pod pod = new Pod("x-0", new PodSpec(null, null, null, policy, 30), 0);
        pod.started(0);
        pod.exited(code, SECOND);
        assertThat(pod.action(SECOND) == Pod.Action.START).isEqualTo(restarted);
    }

    static Stream<Arguments> gracePeriods() {
        return Stream.of(Arguments.of(30, 30), Arguments.of(5, 5), Arguments.of(0, 2), Arguments.of(1, 2));
    }

    @ParameterizedTest(name = "terminationGracePeriodSeconds {0}: SIGKILL after {1} s")
    @MethodSource("gracePeriods")
    void aDeletedPodLeavesTheEndpointsAtOnceAndIsKilledAtTheEndOfItsGracePeriod(int grace, int killedAfter) {
        Pod pod = new Pod("productcatalog-0", new PodSpec(null, null, null, "Always", grace), 0);
        pod.started(0);
        assertThat(pod.endpoint()).isTrue();
        long deleted = 100 * SECOND;
        pod.delete(deleted);
        assertThat(pod.endpoint()).isFalse();
        assertThat(pod.status()).isEqualTo("Terminating");
        assertThat(pod.mayTerminate()).isTrue();
        pod.terminateSent();
        assertThat(pod.mayTerminate()).isFalse();
        assertThat(pod.action(deleted + killedAfter * SECOND - 1)).isNull();
        assertThat(pod.nextWake()).isEqualTo(deleted + killedAfter * SECOND);
        assertThat(pod.action(deleted + killedAfter * SECOND)).isEqualTo(Pod.Action.FORCE_KILL);
        pod.exited(137, deleted + killedAfter * SECOND);
        assertThat(pod.action(deleted + 1000 * SECOND)).as("a terminating pod is not restarted").isNull();
    }

    @Test
    void kubectlShowsAgesAsHumanDurations() {
        assertThat(List.of(0L, 45L, 119L, 120L, 200L, 600L, 3600L, 5 * 3600L + 30 * 60, 30 * 3600L, 3 * 86400L + 4 * 3600, 20 * 86400L))
                .extracting(s -> Kubectl.age(s * SECOND))
                .containsExactly("0s", "45s", "119s", "2m", "3m20s", "10m", "60m", "5h30m", "30h", "3d4h", "20d");
    }
}
