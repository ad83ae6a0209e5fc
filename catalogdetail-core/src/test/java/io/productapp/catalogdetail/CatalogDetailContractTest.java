package io.productapp.catalogdetail;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;

/**
 * The catalogdetail contract (as catalogdetail-core/README.md states it), written once. Each
 * version module runs it with its own expected body, as a {@code @QuarkusTest} and again as a
 * {@code @QuarkusIntegrationTest} on the packaged application.
 */
public abstract class CatalogDetailContractTest {

    /** The exact {@code /catalogDetail} body of this version. */
    protected abstract String expectedCatalogDetail();

    @AfterEach
    void resetFault() {
        given().get("/resetFault").then().statusCode(200);
    }

    @Test
    void catalogDetailAnswersVersionAndVendorsByteForByte() {
        given().get("/catalogDetail")
                .then().statusCode(200)
                .contentType(ContentType.JSON)
                .body(equalTo(expectedCatalogDetail()));
    }

    @Test
    void pingAnswersHealthyAsJsonString() {
        given().get("/ping")
                .then().statusCode(200)
                .contentType(ContentType.JSON)
                .body(equalTo("\"Healthy\""));
    }

    @Test
    void injectFaultAnswers500AndBreaksCatalogDetailAndPingUntilReset() {
        given().get("/injectFault")
                .then().statusCode(500)
                .body(startsWith("\"host: "));

        given().get("/catalogDetail").then().statusCode(500).body(equalTo("\"Error\""));
        given().get("/ping").then().statusCode(500).body(equalTo("\"UnHealthy\""));

        given().get("/resetFault")
                .then().statusCode(200)
                .body(startsWith("\"Removed fault injection from host: "));

        given().get("/catalogDetail").then().statusCode(200).body(equalTo(expectedCatalogDetail()));
        given().get("/ping").then().statusCode(200).body(equalTo("\"Healthy\""));
    }

    @Test
    void resetFaultNamesTheHostEvenWithoutAFault() {
        given().get("/resetFault")
                .then().statusCode(200)
                .body(startsWith("\"Removed fault injection from host: "));
    }

    /**
     * The fault is the application's, as in the original: Kubernetes must not see it, or on a
     * cluster the pod would leave its Service and hide what the Istio policy in force does.
     */
    @Test
    void readinessAndLivenessStayUpWhileAFaultIsInjected() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));

        given().get("/injectFault").then().statusCode(500);
        given().get("/catalogDetail").then().statusCode(500);
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'catalogdetail' }.data.faultInjected", equalTo(true));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));

        given().get("/resetFault").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'catalogdetail' }.data.faultInjected", equalTo(false));
    }

    @Test
    void metricsAreServedInPrometheusFormat() {
        given().get("/catalogDetail").then().statusCode(200);
        given().get("/q/metrics")
                .then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("http_server_requests_seconds_count"));
    }
}
