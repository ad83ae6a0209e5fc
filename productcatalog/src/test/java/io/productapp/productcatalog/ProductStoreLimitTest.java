package io.productapp.productcatalog;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.productapp.productcatalog.WireMockCatalogDetail.InjectWireMock;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

@QuarkusTest
@WithTestResource(WireMockCatalogDetail.class)
@TestProfile(ProductStoreLimitTest.TwoProducts.class)
class ProductStoreLimitTest {

    public static class TwoProducts implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("productcatalog.store.max-products", "2");
        }
    }

    @InjectWireMock
    WireMockServer catalogDetail;

    private static void post(int id, String name, int expectedStatus) {
        given().contentType(ContentType.JSON).body("{\"name\":\"" + name + "\"}")
                .post("/products/" + id).then().statusCode(expectedStatus);
    }

    @Test
    void aFullStoreRefusesNewIdsWith507ButStillRenames() {
        catalogDetail.stubFor(get(WireMockCatalogDetail.PATH).willReturn(okJson(ProductResourceTest.V2)));
        post(1, "one", 200);
        post(2, "two", 200);

        given().contentType(ContentType.JSON).body("{\"name\":\"three\"}").post("/products/3")
                .then().statusCode(507).contentType(ContentType.JSON)
                .body("statusCode", is(507))
                .body("message", containsString("at most 2 products"));

        post(2, "deux", 200);
        given().get("/products/2").then().statusCode(200).body("name", is("deux"));
        given().get("/products/3").then().statusCode(404);
    }
}
