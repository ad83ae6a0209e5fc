package io.productapp.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * A path that never answers 2xx (a downstream that stays down) holds readiness only for the
 * warm-up's bound, and the lanes pause between failures instead of spinning.
 */
@QuarkusTest
@TestProfile(WarmUpBoundTest.Failing.class)
class WarmUpBoundTest {

    public static class Failing implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("productapp.warm-up.path", "/failing", "productapp.warm-up.requests", "10",
                    "productapp.warm-up.concurrency", "1", "productapp.warm-up.timeout", "2s",
                    "productapp.warm-up.retry-pause", "500ms");
        }
    }

    @Test
    void aPathThatKeepsFailingMakesTheServiceReadyAtTheBoundWithNoAnswerCounted() {
        Poll.until(() -> io.restassured.RestAssured.given().get("/q/health/ready").statusCode() == 200);
        JsonPath ready = WarmUpGateTest.readiness(200);
        assertThat(ready.getInt("checks.find { it.name == 'warm-up' }.data.answered")).isZero();
        assertThat(ready.getLong("checks.find { it.name == 'warm-up' }.data.millis")).isGreaterThanOrEqualTo(2000);
        // One lane pausing 500 ms after each failure sends about 4 in 2 s; never a tight loop.
        assertThat(Gate.FAILING_CALLS.get()).isBetween(1, 6);
    }
}
