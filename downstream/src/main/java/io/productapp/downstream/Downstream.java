package io.productapp.downstream;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * The service behind this one, called over Vert.x's pooled keep-alive HTTP client: every call is
 * bounded by the endpoint's connect and answer timeouts, carries the headers
 * {@link HeaderPropagation} forwards, and either answers or fails with one
 * {@link DownstreamException} that says what happened.
 * <p>
 * Calls return Vert.x futures, completed on the event loop; resources hand them to Quarkus REST as
 * {@code CompletionStage}s. (A Mutiny {@code Uni} per call would capture and restore the
 * MicroProfile context at every operator, a cost this hot path, run on every page view, avoids.)
 * <p>
 * The URL is used exactly as given ({@code AGG_APP_URL} may end in {@code /v1/catalogDetail}).
 */
public final class Downstream implements AutoCloseable {

    private static final String JSON = "application/json";
    /** Largest answer accepted: productcatalog's list of 1000 products of 256 characters is ~270 KB. */
    static final int MAX_ANSWER_BYTES = 4 * 1024 * 1024;

    private final Endpoint endpoint;
    private final Vertx vertx;
    private final HttpClient client;
    private final HeaderPropagation propagation;
    private final ObjectMapper mapper;
    private final ObjectReader strictReader;
    private final String host;
    private final int port;
    private final boolean ssl;
    private final String path;

    public Downstream(Vertx vertx, Endpoint endpoint, HeaderPropagation propagation, ObjectMapper mapper) {
        this.endpoint = endpoint;
        this.vertx = vertx;
        this.propagation = propagation;
        this.mapper = mapper;
        this.strictReader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        URI uri = endpoint.uri();
        this.ssl = "https".equalsIgnoreCase(uri.getScheme());
        this.host = uri.getHost();
        this.port = uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80;
        String rawPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        this.path = uri.getRawQuery() == null ? rawPath : rawPath + "?" + uri.getRawQuery();
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(true)
                .setSsl(ssl)
                .setConnectTimeout((int) endpoint.connectTimeout().toMillis()),
                new PoolOptions().setHttp1MaxSize(endpoint.maxConnections()));
    }

    /** GET the endpoint's URL. */
    public Future<Answer> get() {
        return send(HttpMethod.GET, path, null);
    }

    /** POST {@code body} as JSON to the endpoint's URL with {@code segment} appended as one path segment. */
    public Future<Answer> postJson(String segment, Object body) {
        Buffer json;
        try {
            json = Buffer.buffer(mapper.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + body + " as JSON", e);
        }
        return send(HttpMethod.POST, withSegment(segment), json);
    }

    private Future<Answer> send(HttpMethod method, String uri, Buffer body) {
        MultiMap headers = HttpHeaders.headers().add(HttpHeaders.ACCEPT, JSON);
        if (body != null) {
            headers.add(HttpHeaders.CONTENT_TYPE, JSON);
        }
        propagation.applyTo(headers);
        RequestOptions options = new RequestOptions()
                .setMethod(method).setHost(host).setPort(port).setSsl(ssl).setURI(uri)
                .setHeaders(headers)
                .setConnectTimeout(endpoint.connectTimeout().toMillis());
        Call call = new Call();
        call.timer = vertx.setTimer(endpoint.answerTimeout().toMillis(), id -> call.timedOut());
        client.request(options).onComplete(opened -> {
            if (opened.failed()) {
                call.fail(opened.cause());
            } else if (call.attach(opened.result())) {
                HttpClientRequest request = opened.result();
                (body == null ? request.send() : request.send(body))
                        .compose(response -> read(request, response))
                        .onComplete(answered -> {
                            if (answered.succeeded()) {
                                call.complete(answered.result());
                            } else {
                                call.fail(answered.cause());
                            }
                        });
            }
        });
        return call.outcome.future();
    }

    /**
     * The whole body, refused past {@value #MAX_ANSWER_BYTES} bytes: a service answering far more
     * than these small JSON documents would otherwise fill this service's small heap.
     */
    private Future<Answer> read(HttpClientRequest request, HttpClientResponse response) {
        String declared = response.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null && declared.length() > 0 && parseLength(declared) > MAX_ANSWER_BYTES) {
            request.reset();
            return Future.failedFuture(new AnswerTooLarge());
        }
        Promise<Answer> read = Promise.promise();
        Buffer collected = Buffer.buffer();
        response.handler(chunk -> {
            if (collected.length() + chunk.length() > MAX_ANSWER_BYTES) {
                if (read.tryFail(new AnswerTooLarge())) {
                    request.reset();
                }
            } else {
                collected.appendBuffer(chunk);
            }
        });
        response.exceptionHandler(read::tryFail);
        response.endHandler(end -> read.tryComplete(new Answer(response.statusCode(), collected)));
        return read.future();
    }

    private static long parseLength(String declared) {
        try {
            return Long.parseLong(declared.trim());
        } catch (NumberFormatException e) {
            return -1; // not ours to judge; the body's real length still is
        }
    }

    private static final class AnswerTooLarge extends RuntimeException {
        AnswerTooLarge() {
            super(null, null, false, false);
        }
    }

    /**
     * One call's outcome, decided once: the answer, a failure, or the answer timeout, which covers
     * waiting for a pooled connection, connecting, sending and reading the whole body.
     */
    private final class Call {
        final Promise<Answer> outcome = Promise.promise();
        private final AtomicBoolean decided = new AtomicBoolean();
        private volatile HttpClientRequest request;
        long timer;

        /** Keeps the request so a timeout can reset it; false when the timeout already fired. */
        boolean attach(HttpClientRequest opened) {
            request = opened;
            if (decided.get()) {
                opened.reset();
                return false;
            }
            return true;
        }

        void complete(Answer answer) {
            if (decided.compareAndSet(false, true)) {
                vertx.cancelTimer(timer);
                outcome.complete(answer);
            }
        }

        void fail(Throwable failure) {
            if (decided.compareAndSet(false, true)) {
                vertx.cancelTimer(timer);
                outcome.fail(describe(failure));
            }
        }

        void timedOut() {
            if (decided.compareAndSet(false, true)) {
                HttpClientRequest opened = request;
                if (opened != null) {
                    opened.reset(); // the connection is not reused for a late answer
                }
                outcome.fail(problem("did not answer in time (" + endpoint.answerTimeout().toMillis() + " ms)", 0, null));
            }
        }
    }

    /** {@code segment} percent-encoded as one path segment and appended to the endpoint's path. */
    String withSegment(String segment) {
        StringBuilder uri = new StringBuilder(path.length() + segment.length() + 1).append(path);
        if (uri.charAt(uri.length() - 1) != '/') {
            uri.append('/');
        }
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                uri.append(c);
            } else {
                uri.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return uri.toString();
    }

    private DownstreamException describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return problem("is unreachable: " + t.getMessage(), 0, failure);
            }
            if (t instanceof TimeoutException) { // no pooled connection within the connect timeout
                return problem("is unreachable: " + t.getMessage(), 0, failure);
            }
            if (t instanceof AnswerTooLarge) {
                return problem("answered more than " + MAX_ANSWER_BYTES + " bytes", 0, failure);
            }
            if (t instanceof HttpClosedException) {
                return problem("closed the connection before answering", 0, failure);
            }
            if (t instanceof SocketException) {
                return problem("closed the connection before answering: " + t.getMessage(), 0, failure);
            }
        }
        return problem("failed: " + failure.getClass().getSimpleName()
                + (failure.getMessage() == null ? "" : ": " + failure.getMessage()), 0, failure);
    }

    private DownstreamException problem(String what, int status, Throwable cause) {
        return new DownstreamException(endpoint.name() + " at " + endpoint.url() + " " + what, status, cause);
    }

    @Override
    public void close() {
        client.close();
    }

    /** What the service answered: any status, and the whole body. */
    public final class Answer {
        private final int status;
        private final Buffer body;

        Answer(int status, Buffer body) {
            this.status = status;
            this.body = body;
        }

        public int status() {
            return status;
        }

        public boolean successful() {
            return status >= 200 && status < 300;
        }

        /** The body read as {@code type}; a body that is not (only) JSON of that shape fails the call. */
        public <T> T json(Class<T> type) {
            try {
                return strictReader.forType(type).readValue(body.getBytes());
            } catch (IOException e) {
                throw problem("answered a body that is not JSON" + (type == JsonNode.class ? "" : " of the expected shape")
                        + " (HTTP " + status + ")", status, e);
            }
        }

        /** The {@code message} of a JSON error body ({@code {"message": ...}}), if it has one. */
        public String errorMessage() {
            try {
                JsonNode error = strictReader.readTree(body.getBytes());
                return error != null && error.path("message").isTextual() ? error.get("message").asText() : null;
            } catch (IOException e) {
                return null;
            }
        }

        /** This answer as the failure of the call: status and, when the body says one, its message. */
        public DownstreamException failure() {
            String message = errorMessage();
            return problem("answered HTTP " + status + (message == null ? "" : ": " + message), status, null);
        }
    }
}
