package io.productapp.downstream;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/**
 * The service behind the caller under test: a Vert.x server on 127.0.0.1 that answers each path
 * as the running test says ({@link #ROUTES}) and records what it received ({@link #RECEIVED}).
 * The test application's REST client {@code catalogdetail} points at {@value #PATH} with a
 * query string, so every test also proves the URL is called exactly as given; the client
 * {@code patient} calls the same URL with a 10 s bound; the client {@code unreachable} points at a
 * port where nothing listens.
 */
public class FakeService implements QuarkusTestResourceLifecycleManager {

    public static final String PATH = "/v2/catalogDetail";
    public static final String QUERY = "zone=a";
    public static final int TIMEOUT_MS = 1000;

    /** What the fake service does with the next requests: path -> handler. */
    public static final Map<String, Consumer<HttpServerRequest>> ROUTES = new ConcurrentHashMap<>();
    /** Every request the fake service received, in order. */
    public static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();

    public record Received(String method, String uri, MultiMap headers) {
    }

    private Vertx vertx;

    @Override
    public Map<String, String> start() {
        vertx = Vertx.vertx();
        try {
            HttpServer server = vertx.createHttpServer().requestHandler(request -> {
                RECEIVED.add(new Received(request.method().name(), request.uri(),
                        MultiMap.caseInsensitiveMultiMap().addAll(request.headers())));
                ROUTES.getOrDefault(request.path(), r -> r.response().setStatusCode(404).end()).accept(request);
            }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            String base = "http://127.0.0.1:" + server.actualPort();
            return Map.of(
                    "quarkus.rest-client.catalogdetail.url", base + PATH + "?" + QUERY,
                    "quarkus.rest-client.catalogdetail.read-timeout", String.valueOf(TIMEOUT_MS),
                    "quarkus.rest-client.patient.url", base + PATH + "?" + QUERY,
                    "quarkus.rest-client.patient.read-timeout", "10000",
                    "quarkus.rest-client.unreachable.url", "http://127.0.0.1:" + closedPort() + "/catalogDetail");
        } catch (Exception e) {
            throw new IllegalStateException("the fake service did not start", e);
        }
    }

    private static int closedPort() throws java.io.IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void stop() {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }
}
