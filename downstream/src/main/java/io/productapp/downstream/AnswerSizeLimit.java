package io.productapp.downstream;

import org.eclipse.microprofile.rest.client.RestClientBuilder;
import org.eclipse.microprofile.rest.client.spi.RestClientListener;
import org.jboss.resteasy.reactive.client.impl.VertxRequestCustomizingClientBuilder;

import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;

/**
 * Refuses answers over {@value #MAX_ANSWER_BYTES} bytes as they arrive, on every REST client of
 * the service (registered in {@code META-INF/services}). The Quarkus REST client reads a whole
 * answer into memory before any filter or mapper sees it, and sets no bound on its size; a
 * service answering far more than these small JSON documents would otherwise fill the caller's
 * small heap (48 MB when {@code ./demo} runs it). An answer that declares a larger
 * {@code Content-Length} is refused at its headers; one sent chunked is cut when it passes the
 * limit (at most one chunk, 8 KB, more is read).
 * The call then fails with {@link AnswerTooLarge} as the cause.
 */
public class AnswerSizeLimit implements RestClientListener {

    /** Largest answer accepted: productcatalog's list of 1000 products of 256 characters is ~270 KB. */
    public static final int MAX_ANSWER_BYTES = 4 * 1024 * 1024;

    @Override
    public void onNewClient(Class<?> serviceInterface, RestClientBuilder builder) {
        if (builder instanceof VertxRequestCustomizingClientBuilder<?> vertxBuilder) {
            vertxBuilder.httpClientRequestCustomizer(AnswerSizeLimit::bound);
        }
    }

    static void bound(HttpClientRequest request) {
        request.response().onSuccess(response -> {
            // The failure reaches the caller through the REST client's body future; without a
            // handler here Vert.x would also log it as unhandled.
            response.exceptionHandler(ignored -> {
            });
            if (declaredLength(response) > MAX_ANSWER_BYTES) {
                request.reset(0, new AnswerTooLarge());
                return;
            }
            Counter read = new Counter();
            response.handler(chunk -> {
                read.bytes += chunk.length();
                if (read.bytes > MAX_ANSWER_BYTES) {
                    request.reset(0, new AnswerTooLarge());
                }
            });
        });
    }

    private static long declaredLength(HttpClientResponse response) {
        String declared = response.getHeader(HttpHeaders.CONTENT_LENGTH);
        try {
            return declared == null ? -1 : Long.parseLong(declared.trim());
        } catch (NumberFormatException e) {
            return -1; // not ours to judge; the body's real length still is
        }
    }

    /** Bytes of one answer read so far (the chunk handler runs on the connection's event loop). */
    private static final class Counter {
        long bytes;
    }

    /** Why a call was cut: the answer was larger than {@value #MAX_ANSWER_BYTES} bytes. */
    public static final class AnswerTooLarge extends RuntimeException {
        AnswerTooLarge() {
            super("answered more than " + MAX_ANSWER_BYTES + " bytes", null, false, false);
        }
    }
}
