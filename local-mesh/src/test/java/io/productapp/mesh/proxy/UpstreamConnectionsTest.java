package io.productapp.mesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;

/**
 * A proxy's upstream connections on real sockets: kept alive and reused unless a side says close,
 * answers read whole, bodies sent with their length, and each way a request can end reported once,
 * on the proxy's context, as the failure the router tells apart (a connect failure or not).
 */
class UpstreamConnectionsTest {

    static Vertx vertx;
    static ContextInternal context;
    static UpstreamConnections connections;
    static HttpServer server;
    /** The server's connections, numbered as accepted; each answer names its own in x-connection. */
    static final Map<HttpConnection, Integer> accepted = new ConcurrentHashMap<>();
    static final Map<Integer, CompletableFuture<Void>> closed = new ConcurrentHashMap<>();
    /** Completed with its connection's number when a request to /hold arrives. */
    static volatile CompletableFuture<Integer> held = new CompletableFuture<>();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        context = ((VertxInternal) vertx).createEventLoopContext();
        connections = new UpstreamConnections(context, vertx.isNativeTransportEnabled(), Proxy.MAX_HEADER_BYTES);
        server = vertx.createHttpServer().connectionHandler(c -> {
            int number = accepted.size() + 1;
            accepted.put(c, number);
            closed.put(number, new CompletableFuture<>());
            c.closeHandler(v -> closed.get(number).complete(null));
        }).requestHandler(request -> {
            request.response().putHeader("x-connection", String.valueOf(accepted.get(request.connection())));
            switch (request.path()) {
                case "/json" -> request.response().putHeader("content-type", "application/json").end("{\"version\":\"1\"}");
                case "/chunked" -> request.response().setChunked(true).write("one,").compose(v -> request.response().write("two,"))
                        .compose(v -> request.response().end("three"));
                case "/head" -> request.response().putHeader("content-length", "15").end(); // as a HEAD of /json is answered
                case "/close" -> request.response().putHeader("connection", "close").end("bye");
                case "/echo" -> request.body().onSuccess(body -> request.response()
                        .putHeader("x-method", request.method().name())
                        .putHeader("x-content-length", String.valueOf(request.getHeader("content-length")))
                        .putHeader("x-host", request.getHeader("host"))
                        .end(body));
                case "/hold" -> held.complete(accepted.get(request.connection())); // never answers
                default -> request.response().setStatusCode(404).end();
            }
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** What came back: an answer, or the failure, and whether it arrived on the proxy's context. */
    record Outcome(int status, MultiMap headers, String body, Throwable failure, boolean onContext) {
    }

    static Outcome send(int port, HttpMethod method, String path, MultiMap headers, Buffer body) throws Exception {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        context.runOnContext(v -> connections.send("127.0.0.1", port, method, path, headers, body, 2_000, exchange(outcome)));
        return outcome.get(10, TimeUnit.SECONDS);
    }

    static Outcome get(String path, String... headers) throws Exception {
        MultiMap map = MultiMap.caseInsensitiveMultiMap().set("host", "catalogdetail:3000");
        for (int i = 0; i < headers.length; i += 2) {
            map.set(headers[i], headers[i + 1]);
        }
        return send(server.actualPort(), HttpMethod.GET, path, map, Buffer.buffer());
    }

    static UpstreamConnections.Exchange exchange(CompletableFuture<Outcome> outcome) {
        return exchange(outcome, new AtomicInteger());
    }

    /** An exchange that completes {@code outcome} with the first of its calls and counts them all in {@code calls}. */
    static UpstreamConnections.Exchange exchange(CompletableFuture<Outcome> outcome, AtomicInteger calls) {
        return new UpstreamConnections.Exchange() {
            @Override
            public void answered(int status, MultiMap headers, Buffer body) {
                calls.incrementAndGet();
                outcome.complete(new Outcome(status, headers, body.toString(), null, Vertx.currentContext() == context));
            }

            @Override
            public void failed(Throwable cause) {
                calls.incrementAndGet();
                outcome.complete(new Outcome(0, null, null, cause, Vertx.currentContext() == context));
            }
        };
    }

    /** Sends a request to /hold, which the server never answers; call on the context. */
    static UpstreamConnections.Request hold(UpstreamConnections.Exchange exchange) {
        return connections.send("127.0.0.1", server.actualPort(), HttpMethod.GET, "/hold",
                MultiMap.caseInsensitiveMultiMap().set("host", "x"), Buffer.buffer(), 2_000, exchange);
    }

    static Stream<Arguments> closing() {
        return Stream.of(
                Arguments.of("neither side says close", "/json", new String[0], 1),
                Arguments.of("the request says connection: close", "/json", new String[] { "connection", "close" }, 3),
                Arguments.of("the answer says connection: close", "/close", new String[0], 3));
    }

    @ParameterizedTest(name = "{0}: 3 requests in a row on {3} connection(s)")
    @MethodSource("closing")
    void aConnectionIsReusedUnlessEitherSideSaysClose(String why, String path, String[] headers, int connectionsUsed) throws Exception {
        Set<String> used = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            Outcome outcome = get(path, headers);
            assertThat(outcome.status()).isEqualTo(200);
            assertThat(outcome.onContext()).isTrue();
            used.add(outcome.headers().get("x-connection"));
        }
        assertThat(used).hasSize(connectionsUsed);
    }

    @Test
    void theAnswerArrivesWholeWithItsHeaders() throws Exception {
        Outcome chunked = get("/chunked");
        assertThat(chunked.status()).isEqualTo(200);
        assertThat(chunked.body()).isEqualTo("one,two,three");
        assertThat(chunked.headers().get("transfer-encoding")).isEqualTo("chunked");

        Outcome json = get("/json");
        assertThat(json.body()).isEqualTo("{\"version\":\"1\"}");
        assertThat(json.headers().get("Content-Type")).isEqualTo("application/json");

        Outcome head = send(server.actualPort(), HttpMethod.HEAD, "/head", MultiMap.caseInsensitiveMultiMap().set("host", "x"),
                Buffer.buffer());
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().get("content-length")).isEqualTo("15");
        assertThat(get("/json").body()).as("the connection after a HEAD (no body read for its length)").isEqualTo("{\"version\":\"1\"}");
    }

    @Test
    void aBodyGoesWithItsLengthAndTheHeadersAsGiven() throws Exception {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().set("host", "productcatalog:5000");
        Outcome post = send(server.actualPort(), HttpMethod.POST, "/echo", headers, Buffer.buffer("{\"id\":\"4\"}"));
        assertThat(post.body()).isEqualTo("{\"id\":\"4\"}");
        assertThat(post.headers().get("x-method")).isEqualTo("POST");
        assertThat(post.headers().get("x-content-length")).isEqualTo("10");
        assertThat(post.headers().get("x-host")).isEqualTo("productcatalog:5000");

        Outcome get = send(server.actualPort(), HttpMethod.GET, "/echo", MultiMap.caseInsensitiveMultiMap().set("host", "x"),
                Buffer.buffer());
        assertThat(get.headers().get("x-content-length")).as("no body, no length").isEqualTo("null");
    }

    @Test
    void aRefusedConnectionFailsAsAConnectFailureOnTheContext() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        Outcome outcome = send(port, HttpMethod.GET, "/", MultiMap.caseInsensitiveMultiMap().set("host", "x"), Buffer.buffer());
        assertThat(outcome.failure()).isInstanceOf(ConnectException.class);
        assertThat(outcome.onContext()).isTrue();
    }

    @Test
    void aResetEndsTheRequestOnceAfterTheCallReturnsAndTheConnectionGoes() throws Exception {
        held = new CompletableFuture<>();
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        AtomicInteger ended = new AtomicInteger();
        CompletableFuture<UpstreamConnections.Request> sent = new CompletableFuture<>();
        context.runOnContext(v -> sent.complete(hold(exchange(outcome, ended))));
        UpstreamConnections.Request request = sent.get(10, TimeUnit.SECONDS);
        int connection = held.get(10, TimeUnit.SECONDS);
        CompletableFuture<Boolean> pendingAfterReset = new CompletableFuture<>();
        context.runOnContext(v -> {
            request.reset();
            pendingAfterReset.complete(!outcome.isDone());
            request.reset(); // a second reset changes nothing
        });
        assertThat(pendingAfterReset.get(10, TimeUnit.SECONDS)).as("the failure comes after reset() returns").isTrue();
        assertThat(outcome.get(10, TimeUnit.SECONDS).failure()).isInstanceOf(UpstreamConnections.ResetException.class);
        assertThat(outcome.get().onContext()).isTrue();
        closed.get(connection).get(10, TimeUnit.SECONDS); // the connection it was on is closed
        Outcome next = get("/json");
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.headers().get("x-connection")).isNotEqualTo(String.valueOf(connection));
        assertThat(ended.get()).isEqualTo(1);
    }

    @Test
    void aResetRightAfterSendingEndsEachRequestOnceWhateverTheConnectionHadReached() throws Exception {
        // Reset in the same turn of the loop as the send: the new connection is still being made, or
        // made already; on an idle one, the request is written. Each ends once, with the reset.
        int requests = 50;
        List<CompletableFuture<Outcome>> outcomes = new ArrayList<>();
        List<Throwable> thrown = new CopyOnWriteArrayList<>();
        AtomicInteger ended = new AtomicInteger();
        CompletableFuture<Void> sent = new CompletableFuture<>();
        context.runOnContext(v -> {
            for (int i = 0; i < requests; i++) {
                CompletableFuture<Outcome> outcome = new CompletableFuture<>();
                outcomes.add(outcome);
                UpstreamConnections.Request request = hold(exchange(outcome, ended));
                try {
                    request.reset();
                } catch (Throwable t) {
                    thrown.add(t);
                }
            }
            sent.complete(null);
        });
        sent.get(10, TimeUnit.SECONDS);
        for (CompletableFuture<Outcome> outcome : outcomes) {
            assertThat(outcome.get(10, TimeUnit.SECONDS).failure()).isInstanceOf(UpstreamConnections.ResetException.class);
        }
        assertThat(thrown).isEmpty();
        assertThat(get("/json").status()).as("the connections still serve").isEqualTo(200);
        assertThat(ended.get()).isEqualTo(requests);
    }

    static Stream<Arguments> broken() {
        return Stream.of(
                Arguments.of("an answer cut short", "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly ten b"),
                Arguments.of("an answer that claims 2 GiB and sends ten bytes",
                        "HTTP/1.1 200 OK\r\ncontent-length: 2147483647\r\n\r\nonly ten b"),
                Arguments.of("a status line that is no HTTP", "GARBAGE 200 NOT HTTP\r\n\r\n"),
                Arguments.of("the connection closed before any answer", ""));
    }

    @ParameterizedTest(name = "{0}: a failure, not a connect failure")
    @MethodSource("broken")
    void aBrokenAnswerFailsTheRequestButNotAsAConnectFailure(String what, String reply) throws Exception {
        Outcome outcome = answeredBy(reply);
        assertThat(outcome.failure()).isNotNull().isNotInstanceOf(ConnectException.class);
        assertThat(outcome.onContext()).isTrue();
    }

    @Test
    void anInterimAnswerIsSkippedForTheFinalOne() throws Exception {
        Outcome outcome = answeredBy("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\n"
                + "HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok");
        assertThat(outcome.failure()).isNull();
        assertThat(outcome.status()).isEqualTo(201);
        assertThat(outcome.body()).isEqualTo("ok");
    }

    /** What a request gets from a server that answers {@code reply}, byte for byte, then closes. */
    private static Outcome answeredBy(String reply) throws Exception {
        try (ServerSocket raw = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread answering = new Thread(() -> {
                try (Socket socket = raw.accept()) {
                    InputStream in = socket.getInputStream();
                    byte[] request = new byte[4096];
                    in.read(request);
                    OutputStream out = socket.getOutputStream();
                    out.write(reply.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (Exception e) {
                    // the test fails on the outcome
                }
            });
            answering.start();
            Outcome outcome = send(raw.getLocalPort(), HttpMethod.GET, "/", MultiMap.caseInsensitiveMultiMap().set("host", "x"),
                    Buffer.buffer());
            answering.join(10_000);
            return outcome;
        }
    }
}
