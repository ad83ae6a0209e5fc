package io.productapp.frontend;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;

import io.productapp.frontend.WireMockProductCatalog.InjectWireMock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

@QuarkusTest
@WithTestResource(WireMockProductCatalog.class)
class FrontendResourceTest {

    static final String CATALOG_V2 = "{\"products\":{\"1\":\"Apple\",\"2\":\"<script>alert(1)</script>\"},"
            + "\"details\":{\"version\":\"2\",\"vendors\":[\"ABC.com\",\"XYZ.com\"]}}";

    @InjectWireMock
    WireMockServer productCatalog;

    @BeforeEach
    void productCatalogAnswers() {
        productCatalog.resetAll();
        productCatalog.stubFor(get("/products/").willReturn(okJson(CATALOG_V2)));
    }

    @Test
    void pageShowsProductsVendorsAndTheCatalogDetailVersion() {
        given().get("/")
                .then().statusCode(200).contentType(ContentType.HTML)
                .header("x-catalogdetail-version", "2")
                .body(containsString("Product Catalog Application"))
                .body(containsString("<td>Apple</td>"))
                .body(containsString("<td>ABC.com</td>"))
                .body(containsString("<td>XYZ.com</td>"))
                .body(containsString("id=\"catalogdetail-version\" class=\"version v2\">v2</span>"));
    }

    @Test
    void productNamesAreEscaped() {
        given().get("/")
                .then().statusCode(200)
                .body(containsString("&lt;script&gt;alert(1)&lt;/script&gt;"))
                .body(not(containsString("<script>alert(1)</script>")));
    }

    @Test
    void pageWithoutVersionSetsNoVersionHeader() {
        productCatalog.stubFor(get("/products/").willReturn(okJson("{\"products\":{},\"details\":{}}")));
        given().get("/").then().statusCode(200)
                .header("x-catalogdetail-version", nullValue())
                .body(containsString("No products yet."));
    }

    @Test
    void zoneIsShownWhenCatalogDetailReportsOne() {
        productCatalog.stubFor(get("/products/").willReturn(
                okJson("{\"products\":{},\"details\":{\"version\":\"1\",\"vendors\":[\"ABC.com\"],\"zone\":\"us-west-2b\"}}")));
        given().get("/").then().statusCode(200)
                .header("x-catalogdetail-version", "1")
                .body(containsString("<span id=\"catalogdetail-zone\">us-west-2b</span>"));
    }

    @Test
    void addingAProductPostsJsonToProductCatalogAndRedirectsToThePage() {
        productCatalog.stubFor(post("/products/7").willReturn(
                okJson("{\"status\":\"New Product added to Product Catalog\",\"name\":\"Fig\"}")));
        given().redirects().follow(false)
                .formParam("id", "7").formParam("name", "Fig")
                .post("/products")
                .then().statusCode(303).header("Location", endsWith("/"));
        productCatalog.verify(postRequestedFor(urlEqualTo("/products/7"))
                .withRequestBody(equalToJson("{\"name\":\"Fig\"}")));
    }

    @ParameterizedTest(name = "form id ''{0}'' is posted to {1}")
    @CsvSource(delimiter = '|', value = {
            "7|/products/7",
            "' 7 '|/products/7",
            "a b/c?d|/products/a%20b%2Fc%3Fd",
            "é|/products/%C3%A9",
            "../x|/products/..%2Fx" })
    void theFormIdIsPostedAsOnePercentEncodedPathSegment(String id, String expectedPath) {
        productCatalog.stubFor(post(expectedPath).willReturn(
                okJson("{\"status\":\"New Product added to Product Catalog\",\"name\":\"Fig\"}")));
        given().redirects().follow(false).formParam("id", id).formParam("name", "Fig")
                .post("/products")
                .then().statusCode(303);
        productCatalog.verify(postRequestedFor(urlEqualTo(expectedPath)));
    }

    @Test
    void productCatalogRefusalIsShownWithItsStatusAndMessage() {
        productCatalog.stubFor(post("/products/7").willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"Invalid Argument\",\"statusCode\":400,\"message\":\"Field 'name' must not be blank\"}")));
        given().formParam("id", "7").formParam("name", " ")
                .post("/products")
                .then().statusCode(400).contentType(ContentType.HTML)
                .body(containsString("Field &#39;name&#39; must not be blank"));
    }

    @Test
    void missingIdIsA400NamingTheField() {
        given().formParam("name", "Fig").post("/products")
                .then().statusCode(400).contentType(ContentType.HTML)
                .body(containsString("Form field &#39;id&#39; is required"));
        productCatalog.verify(0, postRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.anyUrl()));
    }

    private static final String FORM = "application/x-www-form-urlencoded";

    /**
     * Form posts {@link FrontendFormFuzzTest} found answered with a 500 or not at all, passed on
     * as another product, or refused with a message naming nothing; each is now refused with the
     * page's HTML error naming the field or header, and nothing reaches productcatalog.
     */
    static Stream<Arguments> formPostsThePageRefuses() {
        return Stream.of(
                Arguments.of("a '%' that starts no escape", FORM, "id=7&name=Ap%1ple", 400,
                        "Form field &#39;name&#39; has a &#39;%&#39; that starts no percent-escape"),
                Arguments.of("an escape of a byte that is not UTF-8", FORM, "id=7&name=Ap%FFple", 400,
                        "Form field &#39;name&#39; is not UTF-8"),
                Arguments.of("the id given twice", FORM, "id=7&id=8&name=Fig", 400, "Form field &#39;id&#39; must be given once"),
                Arguments.of("the name given twice", FORM, "id=7&name=Fig&name=Fig", 400, "Form field &#39;name&#39; must be given once"),
                Arguments.of("an id no path segment can carry", FORM, "id=..&name=Fig", 400,
                        "Form field &#39;id&#39; must be a non-negative integer, got &#39;..&#39;"),
                Arguments.of("not a form", "text/plain", "id=7&name=Fig", 415,
                        "Header &#39;Content-Type&#39; must be application/x-www-form-urlencoded"),
                Arguments.of("a wildcard Content-Type", "*/*", "id=7&name=Fig", 415,
                        "Header &#39;Content-Type&#39; must be application/x-www-form-urlencoded"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formPostsThePageRefuses")
    void aBadFormPostIsRefusedNamingTheFieldAndReachesNothing(String name, String type, String body, int status, String message) {
        postAsWritten(type, body).then().statusCode(status).contentType(ContentType.HTML)
                .body(containsString(message));
        productCatalog.verify(0, postRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.anyUrl()));
    }

    /** {@code body} as written, with {@code type} as written: RestAssured would re-encode a form and add a charset. */
    private static Response postAsWritten(String type, String body) {
        return given().config(RestAssuredConfig.config().encoderConfig(EncoderConfig.encoderConfig()
                        .encodeContentTypeAs(type, ContentType.TEXT)
                        .appendDefaultContentCharsetToContentTypeIfUndefined(false)))
                .redirects().follow(false).contentType(type).body(body)
                .post("/products");
    }

    /** RestAssured sends Content-Type: *&#47;* where it is told to send none; the JDK's client sends none. */
    @Test
    void aPostWithoutContentTypeIsRefusedNamingTheHeader() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + "/products"))
                        .POST(HttpRequest.BodyPublishers.ofString("id=7&name=Fig")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(415, response.statusCode());
        assertTrue(response.body().contains("Header &#39;Content-Type&#39; must be application/x-www-form-urlencoded"), response.body());
        productCatalog.verify(0, postRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.anyUrl()));
    }

    /**
     * Form posts {@link FrontendFormFuzzTest} found passed on changed or not at all: an id with a
     * control character was trimmed to another product's id, a name of more than 2048 bytes was
     * refused with a bare 413, a form whose Content-Type is in capitals was read as no fields
     * ("Form field 'id' is required"). Each now reaches productcatalog as typed, for it to judge.
     */
    static Stream<Arguments> formPostsPassedOnAsTyped() {
        String longName = "n".repeat(3000);
        return Stream.of(
                Arguments.of("an id with a control character", FORM, "id=%017&name=Fig", "/products/%017", "Fig"),
                Arguments.of("a name of 3000 characters", FORM, "id=7&name=" + longName, "/products/7", longName),
                Arguments.of("a Content-Type in capitals", "Application/X-WWW-Form-URLEncoded", "id=7&name=Fig", "/products/7", "Fig"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formPostsPassedOnAsTyped")
    void aFormPostReachesProductCatalogAsTyped(String name, String type, String body, String path, String sentName) {
        productCatalog.stubFor(post(path).willReturn(okJson("{\"status\":\"New Product added to Product Catalog\",\"name\":\"x\"}")));
        postAsWritten(type, body).then().statusCode(303);
        productCatalog.verify(postRequestedFor(urlEqualTo(path))
                .withRequestBody(equalToJson(JSON.createObjectNode().put("name", sentName).toString())));
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> productCatalogFailures() {
        return Stream.of(
                Arguments.of("502 from productcatalog", aResponse().withStatus(502)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"status\":\"Could not retrieve information\",\"statusCode\":502,\"message\":\"catalogdetail at x is unreachable\"}"),
                        "catalogdetail at x is unreachable"),
                Arguments.of("connection reset", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), "productcatalog at"),
                Arguments.of("too slow", okJson(CATALOG_V2).withFixedDelay(WireMockProductCatalog.READ_TIMEOUT_MS * 6),
                        "did not answer in time"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("productCatalogFailures")
    void failingProductCatalogIsA502PageNotAHang(String name, ResponseDefinitionBuilder answer, String messagePart) {
        productCatalog.stubFor(get("/products/").willReturn(answer));
        given().get("/")
                .then().statusCode(502).contentType(ContentType.HTML)
                .body(containsString("productcatalog is unavailable"))
                .body(containsString(messagePart));
    }

    static Stream<String> propagatedHeaders() {
        return Stream.of("x-request-id", "traceparent", "tracestate", "b3", "x-b3-traceid", "x-b3-spanid",
                "x-b3-parentspanid", "x-b3-sampled", "x-b3-flags", "user-type");
    }

    @ParameterizedTest
    @MethodSource("propagatedHeaders")
    void incomingHeaderIsForwardedToProductCatalog(String header) {
        String value = "value-of-" + header;
        given().header(header, value).header("x-not-propagated", "no").get("/").then().statusCode(200);
        productCatalog.verify(getRequestedFor(urlEqualTo("/products/"))
                .withHeader(header, equalTo(value))
                .withHeader("x-not-propagated", absent()));
    }

    @Test
    void pingAnswersHealthyAsJsonString() {
        given().get("/ping").then().statusCode(200).contentType(ContentType.JSON).body(is("\"Healthy\""));
    }

    @Test
    void metricsAreServedInPrometheusFormatAtBothPaths() {
        given().get("/").then().statusCode(200);
        for (String path : new String[] { "/metrics", "/q/metrics" }) {
            given().accept("text/plain").get(path).then().statusCode(200)
                    .contentType(containsString("text/plain"))
                    .body(containsString("http_server_requests_seconds_count"));
        }
    }

    @Test
    void healthEndpointsAreUp() {
        given().get("/q/health/live").then().statusCode(200).body("status", is("UP"));
        given().get("/q/health/ready").then().statusCode(200).body("status", is("UP"));
    }
}
