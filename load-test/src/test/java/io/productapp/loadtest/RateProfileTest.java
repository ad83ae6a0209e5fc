package io.productapp.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.productapp.loadtest.RateProfile.Stage;

/**
 * The open model's send times, shape by shape: arrival n is where the integral of the rate
 * reaches n, so counts are exact and each shape's times follow from its formula.
 */
class RateProfileTest {

    private static Stage stage(double from, double to, double seconds) {
        return new Stage(from, to, Duration.ofNanos((long) (seconds * 1e9)));
    }

    private static List<Long> times(RateProfile.Schedule schedule) {
        List<Long> times = new ArrayList<>();
        for (long t = schedule.next(); t >= 0; t = schedule.next()) {
            times.add(t);
        }
        return times;
    }

    /** Arrivals in each second of a 10-second profile (one at exactly 10 s counts in the last). */
    private static int[] perSecond(RateProfile profile) {
        int[] perSecond = new int[10];
        for (long t : times(profile.schedule())) {
            perSecond[Math.min(9, (int) (t / 1_000_000_000L))]++;
        }
        return perSecond;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                // name, stages, arrivals, first (s), last (s)
                Arguments.of("constant 200/s for 60 s", List.of(stage(200, 200, 60)), 12_000, 0.005, 60.0),
                Arguments.of("fractional 0.5/s for 10 s", List.of(stage(0.5, 0.5, 10)), 5, 2.0, 10.0),
                Arguments.of("ramp up 0-100/s over 10 s", List.of(stage(0, 100, 10)), 500, Math.sqrt(1 / 5.0), 10.0),
                Arguments.of("ramp down 100-0/s over 10 s", List.of(stage(100, 0, 10)), 500, 2 / (100 + Math.sqrt(9980)), 10.0),
                Arguments.of("ramp 0-10/s over 10 s, then 10/s for 5 s", List.of(stage(0, 10, 10), stage(10, 10, 5)), 100, Math.sqrt(2), 15.0),
                Arguments.of("nothing for 5 s, then 10/s for 1 s", List.of(stage(0, 0, 5), stage(10, 10, 1)), 10, 5.1, 6.0),
                Arguments.of("below one arrival: 0.5/s for 1 s", List.of(stage(0.5, 0.5, 1)), 0, -1.0, -1.0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void eachShapeSendsExactlyItsIntegralAtTheTimesItsFormulaGives(String name, List<Stage> stages, int arrivals, double first, double last) {
        RateProfile profile = RateProfile.of(stages);
        List<Long> times = times(profile.schedule());
        assertThat(times).hasSize(arrivals);
        assertThat(times).isSorted();
        assertThat((double) arrivals).isCloseTo(Math.floor(profile.arrivals() + 1e-9), within(0.0));
        if (arrivals > 0) {
            assertThat(seconds(times.get(0))).isCloseTo(first, within(1e-6));
            assertThat(seconds(times.get(arrivals - 1))).isCloseTo(last, within(1e-6));
            assertThat(seconds(times.get(arrivals - 1))).isLessThanOrEqualTo(profile.length().toNanos() / 1e9);
        }
    }

    @Test
    void aConstantRateIsEvenlySpaced() {
        List<Long> times = times(RateProfile.constant(200, Duration.ofSeconds(60)).schedule());
        for (int i = 1; i < times.size(); i++) {
            assertThat(times.get(i) - times.get(i - 1)).isBetween(4_999_999L, 5_000_001L);
        }
    }

    @Test
    void aRampUpSendsAsItsRateClimbs() {
        // 0-100/s over 10 s: the rate at t is 10t, so second k holds 10k + 5 arrivals (the integral over [k, k+1)).
        int[] perSecond = perSecond(RateProfile.of(List.of(stage(0, 100, 10))));
        for (int k = 0; k < 10; k++) {
            assertThat(perSecond[k]).as("second %d", k).isBetween(10 * k + 5 - 1, 10 * k + 5 + 1);
        }
    }

    @Test
    void aRampDownSendsAsItsRateFalls() {
        int[] perSecond = perSecond(RateProfile.of(List.of(stage(100, 0, 10))));
        for (int k = 0; k < 10; k++) {
            assertThat(perSecond[k]).as("second %d", k).isBetween(95 - 10 * k - 1, 95 - 10 * k + 1);
        }
    }

    @Test
    void theRateAtATimeFollowsTheStages() {
        RateProfile profile = RateProfile.of(List.of(stage(0, 100, 10), stage(50, 50, 5)));
        assertThat(profile.rateAt(0)).isZero();
        assertThat(profile.rateAt(2.5)).isCloseTo(25, within(1e-9));
        assertThat(profile.rateAt(12)).isEqualTo(50);
        assertThat(profile.rateAt(15)).isZero();
        assertThat(profile.arrivals()).isCloseTo(500 + 250, within(1e-9));
    }

    @ParameterizedTest(name = "{0} senders")
    @ValueSource(ints = { 1, 2, 3, 7, 12 })
    void sendersTakingTurnsSendExactlyTheWholeProfileBetweenThem(int senders) {
        RateProfile profile = RateProfile.of(List.of(stage(0, 300, 4), stage(300, 300, 3)));
        List<Long> whole = times(profile.schedule());
        List<Long> together = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            List<Long> mine = times(profile.schedule(s, senders));
            assertThat(mine.size()).as("sender %d's turns", s).isBetween(whole.size() / senders, whole.size() / senders + 1);
            together.addAll(mine);
        }
        together.sort(null);
        assertThat(together).isEqualTo(whole);
    }

    @Test
    void badStagesAndTurnsAreRefused() {
        assertThatThrownBy(() -> stage(-1, 10, 1)).hasMessageContaining("negative");
        assertThatThrownBy(() -> new Stage(1, 1, Duration.ZERO)).hasMessageContaining("positive length");
        assertThatThrownBy(() -> RateProfile.of(List.of())).hasMessageContaining("at least one stage");
        assertThatThrownBy(() -> RateProfile.constant(1, Duration.ofSeconds(1)).schedule(3, 3)).hasMessageContaining("offset");
    }
}
