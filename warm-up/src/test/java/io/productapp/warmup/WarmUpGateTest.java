package io.productapp.warmup;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/** Readiness waits for the warm-up's answers: DOWN while its path is held, UP once they are in. */
@QuarkusTest
@TestProfile(WarmUpGateTest.Held.class)
class WarmUpGateTest {

    public static class Held implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("productapp.warm-up.path", "/held", "productapp.warm-up.requests", "40",
                    "productapp.warm-up.concurrency", "2", "productapp.warm-up.timeout", "5m");
        }
    }

    @Test
    void readinessIsDownUntilTheWarmUpRequestsAreAnsweredThenUp() {
        Poll.until(() -> Gate.HELD_CALLS.get() >= 2);
        JsonPath warming = readiness(503);
        assertThat(warming.getString("checks.find { it.name == 'warm-up' }.status")).isEqualTo("DOWN");
        assertThat(warming.getInt("checks.find { it.name == 'warm-up' }.data.answered")).isZero();
        assertThat(warming.getInt("checks.find { it.name == 'warm-up' }.data.target")).isEqualTo(40);
        given().get("/q/health/live").then().statusCode(200);

        Gate.OPEN.complete(null);
        Poll.until(() -> given().get("/q/health/ready").statusCode() == 200);
        JsonPath ready = readiness(200);
        assertThat(ready.getInt("checks.find { it.name == 'warm-up' }.data.answered")).isEqualTo(40);
        // Two lanes: at most one request past the target was in flight when it was reached.
        assertThat(Gate.HELD_CALLS.get()).isBetween(40, 41);
        given().get("/held").then().statusCode(200).body(equalTo("warm"));
    }

    static JsonPath readiness(int status) {
        return given().get("/q/health/ready").then().statusCode(status).extract().jsonPath();
    }
}
