package io.productapp.loadtest;

import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/**
 * A stand-in for the frontend on 127.0.0.1: answers with {@code x-catalogdetail-version} and a
 * JSON body naming a version drawn with a seeded random at the given weights, optionally late.
 */
final class VersionServer implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
    final Map<String, String> lastHeaders = new ConcurrentHashMap<>();

    VersionServer(long seed, int percentV1, long delayMillis) throws Exception {
        Random random = new Random(seed);
        server = vertx.createHttpServer().requestHandler(request -> {
            request.headers().forEach(h -> lastHeaders.put(h.getKey().toLowerCase(), h.getValue()));
            String version;
            synchronized (random) {
                version = random.nextInt(100) < percentV1 ? "1" : "2";
            }
            served.computeIfAbsent(version, v -> new AtomicInteger()).incrementAndGet();
            Runnable answer = () -> request.response()
                    .putHeader("x-catalogdetail-version", version)
                    .putHeader("content-type", "application/json")
                    .end("{\"products\":{},\"details\":{\"version\":\"" + version + "\",\"vendors\":[\"ABC.com\"]}}");
            if (delayMillis > 0) {
                vertx.setTimer(delayMillis, id -> answer.run()); // simulated service time
            } else {
                answer.run();
            }
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    String url() {
        return "http://127.0.0.1:" + server.actualPort() + "/";
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
