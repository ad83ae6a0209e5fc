package io.productapp.downstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.productapp.downstream.Downstream.Answer;
import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/** Downstream against a Vert.x server on 127.0.0.1 that answers as each test tells it. */
class DownstreamTest {

    private static final Duration ANSWER_TIMEOUT = Duration.ofMillis(300);
    private static final HeaderPropagation PROPAGATION = new HeaderPropagation(
            List.of("x-request-id", " User-Type ", "traceparent", "b3"));

    static Vertx vertx;
    static HttpServer server;
    /** What the fake service does with the next requests: path -> handler. */
    static final Map<String, java.util.function.Consumer<HttpServerRequest>> ROUTES = new ConcurrentHashMap<>();
    /** Every request the fake service received, in order. */
    static final List<Received> RECEIVED = new java.util.concurrent.CopyOnWriteArrayList<>();

    record Received(String method, String uri, MultiMap headers, String body) {
    }

    @BeforeAll
    static void startFakeService() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            RECEIVED.add(new Received(request.method().name(), request.uri(), MultiMap.caseInsensitiveMultiMap()
                    .addAll(request.headers()), body.toString()));
            ROUTES.getOrDefault(request.path(), r -> r.response().setStatusCode(404).end()).accept(request);
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @BeforeEach
    void reset() {
        ROUTES.clear();
        RECEIVED.clear();
    }

    private static String base() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    private static Downstream downstream(String url) {
        return new Downstream(vertx, new Endpoint("catalogdetail", "AGG_APP_URL", url, Duration.ofSeconds(2),
                ANSWER_TIMEOUT, 8), PROPAGATION, new ObjectMapper());
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw (RuntimeException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Runs {@code call} as if serving a request that carried {@code incoming}: on its own duplicated context. */
    private static <T> CompletableFuture<T> whileServing(MultiMap incoming, java.util.function.Supplier<Future<T>> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        context.runOnContext(v -> {
            HeaderPropagation.remember(incoming);
            call.get().onSuccess(result::complete).onFailure(result::completeExceptionally);
        });
        return result;
    }

    @Test
    void getCallsTheUrlExactlyAsGivenAndKeepsStatusAndBody() {
        ROUTES.put("/v2/catalogDetail", r -> r.response().putHeader("content-type", "application/json")
                .end("{\"version\":\"2\"}"));
        try (Downstream d = downstream(base() + "/v2/catalogDetail?zone=a")) {
            Answer answer = await(d.get());
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.successful()).isTrue();
            assertThat(answer.json(JsonNode.class).get("version").asText()).isEqualTo("2");
        }
        assertThat(RECEIVED).singleElement().satisfies(r -> {
            assertThat(r.method()).isEqualTo("GET");
            assertThat(r.uri()).isEqualTo("/v2/catalogDetail?zone=a");
            assertThat(r.headers().get("accept")).isEqualTo("application/json");
        });
    }

    @ParameterizedTest(name = "POST {1} to {0} goes to {2}")
    @CsvSource(delimiter = '|', value = {
            "/products/|7|/products/7",
            "/products|7|/products/7",
            "/products/|a b/c?d|/products/a%20b%2Fc%3Fd",
            "/products/|é|/products/%C3%A9",
            "/products/|../x|/products/..%2Fx" })
    void postJsonAppendsTheSegmentPercentEncoded(String basePath, String segment, String expectedUri) {
        try (Downstream d = downstream(base() + basePath)) {
            await(d.postJson(segment, Map.of("name", "Fig")));
        }
        assertThat(RECEIVED).singleElement().satisfies(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.uri()).isEqualTo(expectedUri);
            assertThat(r.headers().get("content-type")).isEqualTo("application/json");
            assertThat(r.body()).isEqualTo("{\"name\":\"Fig\"}");
        });
    }

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("never answers", (java.util.function.Consumer<HttpServerRequest>) r -> {
                }, "did not answer in time (300 ms)"),
                Arguments.of("closes the connection", (java.util.function.Consumer<HttpServerRequest>) r -> r.connection().close(),
                        "closed the connection before answering"),
                Arguments.of("sends headers then stalls", (java.util.function.Consumer<HttpServerRequest>) r -> r.response()
                        .setChunked(true).write("{"), "did not answer in time (300 ms)"));
    }

    @ParameterizedTest(name = "a service that {0}")
    @MethodSource("failures")
    void aCallWithoutAnAnswerFailsWithAMessageNamingServiceAndUrl(String name,
            java.util.function.Consumer<HttpServerRequest> behaviour, String expected) {
        ROUTES.put("/catalogDetail", behaviour);
        try (Downstream d = downstream(base() + "/catalogDetail")) {
            assertThatThrownBy(() -> await(d.get()))
                    .isInstanceOf(DownstreamException.class)
                    .hasMessage("catalogdetail at " + base() + "/catalogDetail " + expected)
                    .extracting(e -> ((DownstreamException) e).status()).isEqualTo(0);
        }
    }

    static Stream<Arguments> oversizedAnswers() {
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) ' ');
        int chunks = Downstream.MAX_ANSWER_BYTES / chunk.length + 1;
        return Stream.of(
                Arguments.of("declared by Content-Length", (java.util.function.Consumer<HttpServerRequest>) r -> r.response()
                        .putHeader("content-length", String.valueOf(Downstream.MAX_ANSWER_BYTES + 1L)).write("{")),
                Arguments.of("sent chunked", (java.util.function.Consumer<HttpServerRequest>) r -> {
                    r.response().setChunked(true);
                    for (int i = 0; i < chunks; i++) {
                        r.response().write(io.vertx.core.buffer.Buffer.buffer(chunk));
                    }
                    r.response().end();
                }));
    }

    @ParameterizedTest(name = "an answer larger than the limit, {0}, fails the call")
    @MethodSource("oversizedAnswers")
    void anAnswerLargerThanTheLimitFailsTheCall(String name, java.util.function.Consumer<HttpServerRequest> behaviour) {
        ROUTES.put("/catalogDetail", behaviour);
        try (Downstream d = downstream(base() + "/catalogDetail")) {
            assertThatThrownBy(() -> await(d.get()))
                    .isInstanceOf(DownstreamException.class)
                    .hasMessage("catalogdetail at " + base() + "/catalogDetail answered more than "
                            + Downstream.MAX_ANSWER_BYTES + " bytes");
        }
    }

    @Test
    void anAnswerJustUnderTheLimitIsRead() {
        String big = "\"" + "x".repeat(Downstream.MAX_ANSWER_BYTES - 2) + "\"";
        ROUTES.put("/catalogDetail", r -> r.response().end(big));
        try (Downstream d = downstream(base() + "/catalogDetail")) {
            assertThat(await(d.get()).json(String.class)).hasSize(Downstream.MAX_ANSWER_BYTES - 2);
        }
    }

    @Test
    void anUnreachableServiceFailsAtOnceNamingIt() throws Exception {
        HttpServer closed = vertx.createHttpServer().requestHandler(r -> r.response().end())
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        int port = closed.actualPort();
        closed.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        try (Downstream d = downstream("http://127.0.0.1:" + port + "/catalogDetail")) {
            assertThatThrownBy(() -> await(d.get()))
                    .isInstanceOf(DownstreamException.class)
                    .hasMessageStartingWith("catalogdetail at http://127.0.0.1:" + port + "/catalogDetail is unreachable: ");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "html|<html>",
            "empty|''",
            "trailing garbage|{\"version\":\"1\"} x",
            "truncated|{\"version\":" })
    void aBodyThatIsNotJsonIsAFailureNamingTheService(String name, String body) {
        ROUTES.put("/catalogDetail", r -> r.response().end(body));
        try (Downstream d = downstream(base() + "/catalogDetail")) {
            Answer answer = await(d.get());
            assertThatThrownBy(() -> answer.json(JsonNode.class))
                    .isInstanceOf(DownstreamException.class)
                    .hasMessage("catalogdetail at " + base() + "/catalogDetail answered a body that is not JSON (HTTP 200)");
        }
    }

    @ParameterizedTest(name = "HTTP {0} {1}")
    @CsvSource(delimiter = '|', value = {
            "503|no healthy upstream|answered HTTP 503",
            "500|\"Error\"|answered HTTP 500",
            "502|{\"statusCode\":502,\"message\":\"catalogdetail at x is unreachable\"}|answered HTTP 502: catalogdetail at x is unreachable",
            "404|{\"message\":5}|answered HTTP 404" })
    void anErrorStatusBecomesAFailureCarryingItsStatusAndMessage(int status, String body, String expected) {
        ROUTES.put("/catalogDetail", r -> r.response().setStatusCode(status).end(body));
        try (Downstream d = downstream(base() + "/catalogDetail")) {
            Answer answer = await(d.get());
            assertThat(answer.successful()).isFalse();
            assertThat(answer.failure()).hasMessage("catalogdetail at " + base() + "/catalogDetail " + expected)
                    .extracting(DownstreamException::status).isEqualTo(status);
        }
    }

    @Test
    void listedHeadersOfTheRequestBeingServedAreForwardedAndNoOthers() throws Exception {
        ROUTES.put("/catalogDetail", r -> r.response().end("{}"));
        MultiMap incoming = MultiMap.caseInsensitiveMultiMap()
                .add("X-Request-Id", "r-1").add("user-type", "internal").add("B3", "a-b-1")
                .add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .add("x-not-listed", "no").add("authorization", "Bearer secret");
        try (Downstream d = downstream(base() + "/catalogDetail")) {
            whileServing(incoming, d::get).get(5, TimeUnit.SECONDS);
        }
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
        ROUTES.put("/catalogDetail", r -> r.response().end("{}"));
        try (Downstream d = downstream(base() + "/catalogDetail")) {
            await(d.get());
        }
        assertThat(RECEIVED.get(0).headers().contains("x-request-id")).isFalse();
    }

    @Test
    void concurrentRequestsNeverSeeEachOthersHeaders() throws Exception {
        // The fake service holds every answer until all calls have arrived, so all are in flight at once.
        int calls = 40;
        List<HttpServerRequest> held = new java.util.concurrent.CopyOnWriteArrayList<>();
        ROUTES.put("/catalogDetail", r -> {
            held.add(r);
            if (held.size() == calls) {
                held.forEach(h -> h.response().end("\"" + h.getHeader("x-request-id") + "\""));
            }
        });
        List<CompletableFuture<String>> answers = new ArrayList<>();
        try (Downstream d = new Downstream(vertx, new Endpoint("catalogdetail", "AGG_APP_URL", base() + "/catalogDetail",
                Duration.ofSeconds(2), Duration.ofSeconds(5), calls), PROPAGATION, new ObjectMapper())) {
            for (int i = 0; i < calls; i++) {
                MultiMap incoming = MultiMap.caseInsensitiveMultiMap().add("x-request-id", "request-" + i);
                answers.add(whileServing(incoming, () -> d.get().map(a -> a.json(String.class))));
            }
            for (int i = 0; i < calls; i++) {
                assertThat(answers.get(i).get(10, TimeUnit.SECONDS)).isEqualTo("request-" + i);
            }
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
        assertThatThrownBy(() -> new Endpoint("catalogdetail", "AGG_APP_URL", url, Duration.ofSeconds(1),
                Duration.ofSeconds(1), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("AGG_APP_URL must be an absolute http URL, got '" + url + "'")
                .hasMessageContaining(why);
    }
}
