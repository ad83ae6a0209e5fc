package io.productapp.catalogdetail;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** Zone and instance are added after the two original fields, never instead of them. */
@QuarkusTest
@TestProfile(CatalogDetailIdentityFieldsTest.WithIdentity.class)
class CatalogDetailIdentityFieldsTest {

    public static class WithIdentity implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("catalogdetail.zone", "us-west-2a", "catalogdetail.instance", "catalogdetail-7d9f");
        }
    }

    @Test
    void identityFieldsFollowTheOriginalFieldsWhenConfigured() {
        given().get("/catalogDetail")
                .then().statusCode(200)
                .body(equalTo("{\"version\":\"1\",\"vendors\":[\"ABC.com\"],"
                        + "\"zone\":\"us-west-2a\",\"instance\":\"catalogdetail-7d9f\"}"));
    }
}
