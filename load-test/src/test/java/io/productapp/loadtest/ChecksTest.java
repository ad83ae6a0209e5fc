package io.productapp.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ChecksTest {

    private static Report report(long v1, long v2, double p99Ms, long serverErrors) {
        Map<String, Report.Share> split = new LinkedHashMap<>();
        long n = v1 + v2;
        split.put("v1", new Report.Share(v1, 100.0 * v1 / n, 0, 0, 0, 1, 2));
        split.put("v2", new Report.Share(v2, 100.0 * v2 / n, 0, 0, 0, 1, 2));
        Report.Latency latency = new Report.Latency(0.1, 1, 1, 2, p99Ms, p99Ms, p99Ms, List.of());
        return new Report("closed", List.of("http://127.0.0.1/"), "header:x", 10, n, 0, serverErrors, 0, 0, Map.of(200, n),
                Map.of(), latency, latency, 1, split, List.of(), "2026-12-02T00:00:00Z",
                new Histograms(Histograms.ENCODING, "", "", Map.of()));
    }

    @ParameterizedTest(name = "{0}/{1} vs 90/10 ±5 -> {2}")
    @CsvSource({
            "1800, 200, PASS",
            "1000, 1000, FAIL",
            "9, 1, INCONCLUSIVE",
            "170, 30, INCONCLUSIVE",
            "17000, 3000, INCONCLUSIVE",
            "16000, 4000, FAIL" })
    void expectationVerdictFollowsThe95PercentInterval(long v1, long v2, Checks.Verdict worst) {
        List<Checks.Result> results = Checks.Expectation.parse("v1=90,v2=10", 5).evaluate(report(v1, v2, 1, 0));
        Checks.Verdict verdict = results.stream().map(Checks.Result::verdict)
                .reduce((a, b) -> a == Checks.Verdict.FAIL || b == Checks.Verdict.FAIL ? Checks.Verdict.FAIL
                        : a == Checks.Verdict.INCONCLUSIVE || b == Checks.Verdict.INCONCLUSIVE ? Checks.Verdict.INCONCLUSIVE
                                : Checks.Verdict.PASS)
                .orElseThrow();
        assertThat(verdict).isEqualTo(worst);
    }

    @Test
    void bareNumbersNameTheSameBucketAsVn() {
        assertThat(Checks.Expectation.parse("1=90,2=10", 5).shares()).containsOnlyKeys("v1", "v2");
        assertThat(SplitRule.name("2")).isEqualTo("v2");
        assertThat(SplitRule.name("canary")).isEqualTo("canary");
        assertThat(SplitRule.name(null)).isEqualTo(SplitRule.UNKNOWN);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "p99<500ms   | PASS",
            "p99<100ms   | FAIL",
            "p99<=0.2s   | PASS",
            "errors<1%   | PASS",
            "errors<=0   | FAIL",
            "rps>=100    | PASS",
            "rps>100     | FAIL",
            "max<2s      | PASS" })
    void assertionsAreEvaluatedAgainstTheReport(String assertion, Checks.Verdict verdict) {
        Report r = report(900, 100, 150, 1);
        assertThat(Checks.Assertion.parse(assertion).evaluate(r).verdict()).isEqualTo(verdict);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "v1=90,v2=20 | shares must total 100",
            "v1=ninety   | is not a percentage",
            "v1          | expected NAME=PERCENT",
            "v1=50,1=50  | given twice" })
    void badExpectationsNameTheProblem(String spec, String message) {
        assertThatThrownBy(() -> Checks.Expectation.parse(spec, 5)).hasMessageContaining("--expect").hasMessageContaining(message);
    }

    @ParameterizedTest
    @CsvSource({ "p99<<5ms", "latency<5ms", "p100<5ms", "p99<fast" })
    void badAssertionsNameThemselves(String spec) {
        assertThatThrownBy(() -> Checks.Assertion.parse(spec)).hasMessageContaining("--assert '" + spec + "'");
    }

    @Test
    void wilsonIntervalStaysInsideZeroToOne() {
        assertThat(Statistics.wilson(0, 10)[0]).isZero();
        assertThat(Statistics.wilson(10, 10)[1]).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        double[] ci = Statistics.wilson(900, 1000);
        assertThat(ci[0]).isBetween(0.879, 0.881);
        assertThat(ci[1]).isBetween(0.915, 0.918);
    }
}
