package io.productapp.downstream;

import static io.productapp.downstream.FakeService.PATH;
import static io.productapp.downstream.FakeService.QUERY;
import static io.productapp.downstream.FakeService.RECEIVED;
import static io.productapp.downstream.FakeService.ROUTES;
import static io.productapp.downstream.FakeService.TIMEOUT_MS;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * The shared pieces of a downstream call, in a Quarkus application that calls a misbehaving
 * service ({@link FakeService}) the way productcatalog and frontend call theirs
 * ({@link CallerApp}): bounds in time and size, failures named, headers forwarded.
 */
@QuarkusTest
@WithTestResource(FakeService.class)
class DownstreamTest {

    private static final int LIMIT = AnswerSizeLimit.MAX_ANSWER_BYTES;

    @Inject
    CallerApp caller;

    @BeforeEach
    void reset() {
        ROUTES.clear();
        RECEIVED.clear();
    }

    /** The URL the application was configured with, as failures must name it. */
    private static String url() {
        return setting("quarkus.rest-client.catalogdetail.url");
    }

    private static String setting(String name) {
        return ConfigProvider.getConfig().getValue(name, String.class);
    }

    private static void failsWith(String path, int status, String message) {
        given().get("/call/" + path)
                .then().statusCode(502)
                .header("x-downstream-status", String.valueOf(status))
                .body(is(message));
    }

    @Test
    void theUrlIsCalledExactlyAsGivenAndTheJsonAnswerPassesThrough() {
        ROUTES.put(PATH, r -> r.response().putHeader("content-type", "application/json").end("{\"version\":\"2\"}"));
        given().get("/call/catalogdetail").then().statusCode(200).body(is("{\"version\":\"2\"}"));
        assertThat(RECEIVED).singleElement().satisfies(r -> {
            assertThat(r.method()).isEqualTo("GET");
            assertThat(r.uri()).isEqualTo(PATH + "?" + QUERY);
            assertThat(r.headers().get("accept")).isEqualTo("application/json");
        });
    }

    static Stream<Arguments> answersThatNeverComplete() {
        return Stream.of(
                Arguments.of("never answers", (Consumer<HttpServerRequest>) r -> {
                }, "did not answer in time (" + TIMEOUT_MS + " ms)"),
                Arguments.of("closes the connection", (Consumer<HttpServerRequest>) r -> r.connection().close(),
                        "closed the connection before answering: Connection was closed"),
                Arguments.of("sends its headers, then stalls", (Consumer<HttpServerRequest>) r -> r.response()
                        .setChunked(true).putHeader("content-type", "application/json").write("{"),
                        "did not answer in time (" + TIMEOUT_MS + " ms)"),
                // Each byte comes well within the REST client's read timeout; the whole answer never does.
                Arguments.of("trickles its body a byte at a time", (Consumer<HttpServerRequest>) r -> {
                    r.response().setChunked(true).putHeader("content-type", "application/json").write("[");
                    Vertx vertx = Vertx.currentContext().owner();
                    long timer = vertx.setPeriodic(100, id -> r.response().write(" "));
                    r.connection().closeHandler(v -> vertx.cancelTimer(timer));
                }, "did not answer in time (" + TIMEOUT_MS + " ms)"));
    }

    @ParameterizedTest(name = "a service that {0}")
    @MethodSource("answersThatNeverComplete")
    void aCallWithoutAWholeAnswerFailsInTimeNamingServiceAndUrl(String name, Consumer<HttpServerRequest> behaviour,
            String expected) {
        ROUTES.put(PATH, behaviour);
        // The service never completes its answer: only the whole-answer bound ends the call, and says so.
        failsWith("catalogdetail", 0, "catalogdetail at " + url() + " " + expected);
    }

    static Stream<Arguments> oversizedAnswers() {
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) ' ');
        int chunks = LIMIT / chunk.length + 1;
        return Stream.of(
                Arguments.of("declared by Content-Length", (Consumer<HttpServerRequest>) r -> r.response()
                        .putHeader("content-length", String.valueOf(LIMIT + 1L)).write("{")),
                Arguments.of("sent chunked", (Consumer<HttpServerRequest>) r -> {
                    r.response().setChunked(true).putHeader("content-type", "application/json");
                    for (int i = 0; i < chunks; i++) {
                        r.response().write(Buffer.buffer(chunk));
                    }
                    r.response().end();
                }));
    }

    @ParameterizedTest(name = "an answer larger than the limit, {0}, fails the call")
    @MethodSource("oversizedAnswers")
    void anAnswerLargerThanTheLimitFailsTheCall(String name, Consumer<HttpServerRequest> behaviour) {
        ROUTES.put(PATH, behaviour);
        failsWith("catalogdetail", 0, "catalogdetail at " + url() + " answered more than " + LIMIT + " bytes");
    }

    @Test
    void anAnswerJustUnderTheLimitIsRead() {
        String big = "\"" + "x".repeat(LIMIT - 2) + "\"";
        ROUTES.put(PATH, r -> r.response().putHeader("content-type", "application/json").end(big));
        String answer = given().get("/call/catalogdetail").then().statusCode(200).extract().asString();
        assertThat(answer).hasSize(LIMIT);
    }

    @Test
    void anUnreachableServiceFailsAtOnceNamingIt() {
        String unreachable = setting("quarkus.rest-client.unreachable.url");
        given().get("/call/unreachable")
                .then().statusCode(502)
                .body(startsWith("catalogdetail at " + unreachable + " is unreachable: "));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "html|application/json|<html>|answered a body that is not JSON of the expected shape (HTTP 200)",
            "trailing garbage|application/json|{\"version\":\"1\"} x|answered a body that is not JSON of the expected shape (HTTP 200)",
            "duplicate field|application/json|{\"version\":\"1\",\"version\":\"2\"}|answered a body that is not JSON of the expected shape (HTTP 200)",
            "truncated|application/json|{\"version\":|answered a body that is not JSON of the expected shape (HTTP 200)",
            "empty|application/json|''|answered an empty body",
            "HTML, said so|text/html|<html>|answered a body that is not JSON: Response could not be mapped to type "
                    + "class com.fasterxml.jackson.databind.JsonNode for response with media type text/html" })
    void aBodyThatIsNotJsonIsAFailureNamingTheService(String name, String type, String body, String expected) {
        ROUTES.put(PATH, r -> r.response().putHeader("content-type", type).end(body));
        failsWith("catalogdetail", 0, "catalogdetail at " + url() + " " + expected);
    }

    @ParameterizedTest(name = "HTTP {0} {1}")
    @CsvSource(delimiter = '|', value = {
            "503|no healthy upstream|answered HTTP 503",
            "500|\"Error\"|answered HTTP 500",
            "502|{\"statusCode\":502,\"message\":\"catalogdetail at x is unreachable\"}|answered HTTP 502: catalogdetail at x is unreachable",
            "404|{\"message\":5}|answered HTTP 404" })
    void anErrorStatusIsAFailureCarryingItsStatusAndMessage(int status, String body, String expected) {
        ROUTES.put(PATH, r -> r.response().setStatusCode(status).putHeader("content-type", "application/json").end(body));
        failsWith("catalogdetail", status, "catalogdetail at " + url() + " " + expected);
    }

    @Test
    void listedHeadersOfTheRequestBeingServedAreForwardedAndNoOthers() {
        ROUTES.put(PATH, r -> r.response().putHeader("content-type", "application/json").end("{}"));
        given().header("X-Request-Id", "r-1").header("user-type", "internal").header("B3", "a-b-1")
                .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .header("x-not-listed", "no").header("authorization", "Bearer secret")
                .get("/call/catalogdetail").then().statusCode(200);
        MultiMap sent = RECEIVED.get(0).headers();
        assertThat(sent.get("x-request-id")).isEqualTo("r-1");
        assertThat(sent.get("user-type")).isEqualTo("internal");
        assertThat(sent.get("b3")).isEqualTo("a-b-1");
        assertThat(sent.get("traceparent")).isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        assertThat(sent.contains("x-not-listed")).isFalse();
        assertThat(sent.contains("authorization")).isFalse();
    }

    @Test
    void aCallMadeOutsideAnyRequestForwardsNothing() {
        ROUTES.put(PATH, r -> r.response().putHeader("content-type", "application/json").end("{}"));
        caller.catalogDetailOutsideAnyRequest().await().atMost(Duration.ofSeconds(5));
        assertThat(RECEIVED).singleElement().satisfies(r -> assertThat(r.headers().contains("x-request-id")).isFalse());
    }

    @Test
    void concurrentRequestsNeverSeeEachOthersHeaders() throws Exception {
        // The fake service holds every answer until all calls have arrived, so all are in flight at once.
        int calls = 40;
        List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
        ROUTES.put(PATH, r -> {
            held.add(r);
            if (held.size() == calls) {
                held.forEach(h -> h.response().putHeader("content-type", "application/json")
                        .end("\"" + h.getHeader("x-request-id") + "\""));
            }
        });
        ExecutorService callers = Executors.newFixedThreadPool(calls);
        try {
            List<CompletableFuture<String>> answers = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                String id = "request-" + i;
                answers.add(CompletableFuture.supplyAsync(() -> given().header("x-request-id", id)
                        .get("/call/patient").then().statusCode(200).extract().asString(), callers));
            }
            for (int i = 0; i < calls; i++) {
                assertThat(answers.get(i).get(10, TimeUnit.SECONDS)).isEqualTo("\"request-" + i + "\"");
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @ParameterizedTest(name = "''{0}''")
    @CsvSource(delimiter = '|', value = {
            "''|it must start with http:// or https://",
            "catalogdetail:3000/catalogDetail|it must start with http:// or https://",
            "ftp://catalogdetail/catalogDetail|it must start with http:// or https://",
            "http:///catalogDetail|it names no host",
            "http://catalog detail/|Illegal character in authority" })
    void aBadUrlIsRefusedNamingTheSetting(String url, String why) {
        assertThatThrownBy(() -> new Endpoint("catalogdetail", "AGG_APP_URL", url, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("AGG_APP_URL must be an absolute http URL, got '" + url + "'")
                .hasMessageContaining(why);
    }
}
