package io.productapp.productcatalog;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;

import io.productapp.productcatalog.WireMockCatalogDetail.InjectWireMock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

@QuarkusTest
@WithTestResource(WireMockCatalogDetail.class)
class ProductResourceTest {

    static final String V2 = "{\"version\":\"2\",\"vendors\":[\"ABC.com\",\"XYZ.com\"]}";
    /** Ids unique across the run: the store lives as long as the application under test. */
    private static final AtomicInteger NEXT_ID = new AtomicInteger(100);

    @InjectWireMock
    WireMockServer catalogDetail;

    @BeforeEach
    void catalogDetailAnswersV2() {
        catalogDetail.resetAll();
        catalogDetail.stubFor(get(WireMockCatalogDetail.PATH).willReturn(okJson(V2)));
    }

    private static int addProduct(String name) {
        int id = NEXT_ID.incrementAndGet();
        given().contentType(ContentType.JSON).body("{\"name\":\"" + name + "\"}")
                .post("/products/" + id)
                .then().statusCode(200);
        return id;
    }

    @Test
    void postAnswersTheOriginalConfirmationByteForByte() {
        given().contentType(ContentType.JSON).body("{\"name\":\"Apple\"}")
                .post("/products/" + NEXT_ID.incrementAndGet())
                .then().statusCode(200).contentType(ContentType.JSON)
                .body(is("{\"status\":\"New Product added to Product Catalog\",\"name\":\"Apple\"}"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "/products/", "/products" })
    void listCarriesProductsAndCatalogDetailJsonUntouched(String path) {
        int id = addProduct("Banana");
        given().get(path)
                .then().statusCode(200).contentType(ContentType.JSON)
                .body("products.'" + id + "'", is("Banana"))
                .body(containsString(",\"details\":" + V2 + "}"));
    }

    @Test
    void getOneProductReturnsCatalogDetailJsonWhereTheOriginalFailed() {
        int id = addProduct("Cherry");
        given().get("/products/" + id)
                .then().statusCode(200)
                .body(is("{\"status\":\"Product Details retrieved\",\"name\":\"Cherry\",\"details\":" + V2 + "}"));
    }

    @Test
    void postingAnExistingIdRenamesIt() {
        int id = addProduct("Old");
        given().contentType(ContentType.JSON).body("{\"name\":\"New\"}").post("/products/" + id).then().statusCode(200);
        given().get("/products/" + id).then().statusCode(200).body("name", is("New"));
    }

    @Test
    void extraCatalogDetailFieldsPassThrough() {
        catalogDetail.stubFor(get(WireMockCatalogDetail.PATH)
                .willReturn(okJson("{\"version\":\"1\",\"vendors\":[\"ABC.com\"],\"zone\":\"us-west-2b\"}")));
        given().get("/products/").then().statusCode(200).body("details.zone", is("us-west-2b"));
    }

    @Test
    void pingAnswersHealthyAsJsonString() {
        given().get("/products/ping").then().statusCode(200).contentType(ContentType.JSON).body(is("\"healthy\""));
    }

    static Stream<Arguments> badRequests() {
        return Stream.of(
                Arguments.of("POST", "/products/abc", ContentType.JSON, "{\"name\":\"x\"}", 400, "'id'"),
                Arguments.of("POST", "/products/-1", ContentType.JSON, "{\"name\":\"x\"}", 400, "'id'"),
                Arguments.of("POST", "/products/99999999999", ContentType.JSON, "{\"name\":\"x\"}", 400, "'id'"),
                Arguments.of("POST", "/products/1", ContentType.JSON, "{\"name\":", 400, "not valid JSON"),
                Arguments.of("POST", "/products/1", ContentType.JSON, "", 400, "'name'"),
                Arguments.of("POST", "/products/1", ContentType.JSON, "{}", 400, "Field 'name' is required"),
                Arguments.of("POST", "/products/1", ContentType.JSON, "{\"name\":null}", 400, "Field 'name' is required"),
                Arguments.of("POST", "/products/1", ContentType.JSON, "{\"name\":\"   \"}", 400, "Field 'name' must not be blank"),
                Arguments.of("POST", "/products/1", ContentType.JSON, "{\"name\":5}", 400, "Field 'name' must be a string"),
                Arguments.of("POST", "/products/1", ContentType.JSON, "{\"name\":true}", 400, "Field 'name' must be a string"),
                Arguments.of("POST", "/products/1", ContentType.JSON, "{\"name\":\"x\"} {}", 400, "exactly one JSON object"),
                Arguments.of("POST", "/products/1", ContentType.JSON, "[\"x\"]", 400, "JSON object"),
                Arguments.of("POST", "/products/1", ContentType.JSON, "{\"name\":\"" + "n".repeat(257) + "\"}", 400,
                        "Field 'name' must be at most 256 characters"),
                Arguments.of("POST", "/products/1", ContentType.TEXT, "name=x", 415, "Content-Type' must be application/json"),
                Arguments.of("GET", "/products/abc", ContentType.JSON, null, 400, "'id'"),
                Arguments.of("GET", "/products/987654321", ContentType.JSON, null, 404, "No product with id 987654321"));
    }

    @ParameterizedTest(name = "{0} {1} {3} -> {4}")
    @MethodSource("badRequests")
    void badInputGetsAJsonErrorNamingTheProblem(String method, String path, ContentType type, String body,
            int status, String messagePart) {
        var request = given().contentType(type);
        if (body != null) {
            request.body(body);
        }
        request.request(method, path)
                .then().statusCode(status).contentType(ContentType.JSON)
                .body("statusCode", is(status))
                .body("status", org.hamcrest.Matchers.notNullValue())
                .body("message", containsString(messagePart));
    }

    @Test
    void badInputLosesNothing() {
        int id = addProduct("Kept");
        given().contentType(ContentType.JSON).body("{\"name\":\"\"}").post("/products/" + id).then().statusCode(400);
        given().get("/products/" + id).then().statusCode(200).body("name", is("Kept"));
    }

    /**
     * Requests {@link ProductCatalogFuzzTest} found answered 200 or 500, each aimed at a product
     * that exists: {@code %d} in the path stands for its id, {@code %f} for its id in fullwidth
     * digits, percent-encoded.
     */
    static Stream<Arguments> refusedInputThatWasAccepted() {
        return Stream.of(
                Arguments.of("a field given twice", "/products/%d", "application/json", utf8("{\"name\":\"New\",\"name\":\"New\"}"),
                        400, "Duplicate field 'name'"),
                Arguments.of("a name of Unicode spaces", "/products/%d", "application/json", utf8("{\"name\":\"\u3000\u00a0\u2003\"}"),
                        400, "Field 'name' must not be blank"),
                Arguments.of("an overlong UTF-8 '/'", "/products/%d", "application/json",
                        new byte[] { '{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}' }, 400, "not UTF-8 (byte 10)"),
                Arguments.of("a wildcard Content-Type", "/products/%d", "*/*", utf8("{\"name\":\"New\"}"), 415, "'Content-Type'"),
                Arguments.of("a wildcard JSON subtype", "/products/%d", "application/*", utf8("{\"name\":\"New\"}"), 415, "'Content-Type'"),
                Arguments.of("fullwidth digits", "/products/%f", "application/json", utf8("{\"name\":\"New\"}"), 400, "'id'"),
                Arguments.of("a sign", "/products/+%d", "application/json", utf8("{\"name\":\"New\"}"), 400, "'id'"),
                Arguments.of("a matrix parameter", "/products/%d;x=2", "application/json", utf8("{\"name\":\"New\"}"), 400, "'id'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedInputThatWasAccepted")
    void refusedInputLeavesTheProductAsItWas(String name, String path, String type, byte[] body, int status, String messagePart) {
        int id = addProduct("Kept");
        // U+FF10 to U+FF19, FULLWIDTH DIGIT ZERO to NINE, are EF BC 90 to EF BC 99 in UTF-8
        String fullwidth = String.valueOf(id).chars().mapToObj(digit -> "%EF%BC%9" + (char) digit).collect(Collectors.joining());
        given().urlEncodingEnabled(false).contentType(type).body(body)
                .post(path.replace("%d", String.valueOf(id)).replace("%f", fullwidth))
                .then().statusCode(status).contentType(ContentType.JSON)
                .body("message", containsString(messagePart));
        given().get("/products/" + id).then().statusCode(200).body("name", is("Kept"));
    }

    /** RestAssured sends Content-Type: *&#47;* where it is told to send none; the JDK's client sends none. */
    @Test
    void aBodyWithoutContentTypeIsRefusedWith415() throws Exception {
        int id = addProduct("Kept");
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + "/products/" + id))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"New\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(415, response.statusCode());
        assertTrue(response.body().contains("Header 'Content-Type' must be application/json"), response.body());
        given().get("/products/" + id).then().statusCode(200).body("name", is("Kept"));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static Stream<Arguments> catalogDetailFailures() {
        return Stream.of(
                Arguments.of("500", aResponse().withStatus(500).withBody("\"Error\""), "answered HTTP 500"),
                Arguments.of("503 from the mesh", aResponse().withStatus(503).withBody("no healthy upstream"), "answered HTTP 503"),
                Arguments.of("not JSON", aResponse().withStatus(200).withBody("<html>"), "not JSON"),
                Arguments.of("connection reset", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), "catalogdetail at"),
                Arguments.of("too slow", okJson(V2).withFixedDelay(WireMockCatalogDetail.READ_TIMEOUT_MS * 6), "catalogdetail at"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("catalogDetailFailures")
    void failingCatalogDetailIsA502NotAHang(String name,
            com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder answer, String messagePart) {
        catalogDetail.stubFor(get(WireMockCatalogDetail.PATH).willReturn(answer));
        int id = addProduct("Durian");
        for (String path : new String[] { "/products/", "/products/" + id }) {
            given().get(path)
                    .then().statusCode(502).contentType(ContentType.JSON)
                    .body("statusCode", is(502))
                    .body("message", containsString(messagePart));
        }
    }

    static Stream<String> propagatedHeaders() {
        return Stream.of("x-request-id", "traceparent", "tracestate", "b3", "x-b3-traceid", "x-b3-spanid",
                "x-b3-parentspanid", "x-b3-sampled", "x-b3-flags", "user-type");
    }

    @ParameterizedTest
    @MethodSource("propagatedHeaders")
    void incomingHeaderIsForwardedToCatalogDetail(String header) {
        String value = "value-of-" + header;
        given().header(header, value).header("x-not-propagated", "no").get("/products/").then().statusCode(200);
        catalogDetail.verify(getRequestedFor(urlEqualTo(WireMockCatalogDetail.PATH))
                .withHeader(header, equalTo(value))
                .withHeader("x-not-propagated", absent()));
    }

    @Test
    void openApiAndSwaggerUiAreServed() {
        given().get("/q/openapi?format=json").then().statusCode(200).body(containsString("/products/{id}"));
        given().get("/q/swagger-ui/").then().statusCode(200);
    }

    @Test
    void corsAllowsAnyOriginAsTheOriginalDid() {
        given().header("Origin", "http://any.example")
                .header("Access-Control-Request-Method", "POST")
                .options("/products/1")
                .then().statusCode(200)
                .header("Access-Control-Allow-Origin", "http://any.example");
    }
}
