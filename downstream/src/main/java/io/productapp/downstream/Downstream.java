package io.productapp.downstream;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.util.concurrent.TimeoutException;

import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.productapp.downstream.AnswerSizeLimit.AnswerTooLarge;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClosedException;

/**
 * Calls to one {@link Endpoint} through its REST client, bounded and described: each call answers
 * within the endpoint's timeout or fails, and every failure is one {@link DownstreamException}
 * whose message names the service, its URL and what happened.
 * <p>
 * The bound covers the whole answer. The REST client's own {@code read-timeout} stops counting
 * once the answer's headers arrive, so a service that stalls mid-body would otherwise hold the
 * call open; past the bound the call is cancelled, which resets its connection.
 */
public final class Downstream {

    private final Endpoint endpoint;

    public Downstream(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /** A call whose answer is read: bounded by the endpoint's timeout; an empty body is a failure too. */
    public <T> Uni<T> read(Uni<T> call) {
        return send(call).onItem().ifNull().failWith(() -> problem("answered an empty body", 0, null));
    }

    /** A call whose answer's body is not used: bounded by the endpoint's timeout. */
    public <T> Uni<T> send(Uni<T> call) {
        return call
                .ifNoItem().after(endpoint.timeout()).failWith(AnswerTimedOut::new)
                .onFailure().transform(this::describe);
    }

    /** {@code failure} as this endpoint's {@link DownstreamException}, by what it is. */
    DownstreamException describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DownstreamException known) {
                return known;
            }
            if (t instanceof AnswerTooLarge tooLarge) {
                return problem(tooLarge.getMessage(), 0, failure);
            }
            if (t instanceof ConnectException) { // refused, or not connected within the connect timeout
                return problem("is unreachable: " + t.getMessage(), 0, failure);
            }
            if (t instanceof AnswerTimedOut || t instanceof TimeoutException) {
                // ours (the whole answer), or the REST client's (a pooled connection or the headers)
                return problem("did not answer in time (" + endpoint.timeout().toMillis() + " ms)", 0, failure);
            }
            if (t instanceof JsonProcessingException) {
                return problem("answered a body that is not JSON of the expected shape" + status(failure), 0, failure);
            }
            if (t instanceof SocketException || t instanceof HttpClosedException || t.getClass() == IOException.class) {
                // a reset, or a close (which the REST client reports as a plain IOException)
                return problem("closed the connection before answering: " + t.getMessage(), 0, failure);
            }
            if (t instanceof ProcessingException && t.getCause() == null) {
                // the REST client's own: no JSON reader takes the answer's Content-Type
                return problem("answered a body that is not JSON: " + t.getMessage(), 0, failure);
            }
        }
        return problem("failed: " + failure.getClass().getSimpleName()
                + (failure.getMessage() == null ? "" : ": " + failure.getMessage()), 0, failure);
    }

    /** " (HTTP 200)" when the REST client says which answer it could not read. */
    private static String status(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof WebApplicationException answered && answered.getResponse() != null) {
                return " (HTTP " + answered.getResponse().getStatus() + ")";
            }
        }
        return "";
    }

    private DownstreamException problem(String what, int status, Throwable cause) {
        return new DownstreamException(endpoint.name() + " at " + endpoint.url() + " " + what, status, cause);
    }

    /** The whole answer did not arrive within the endpoint's timeout. */
    private static final class AnswerTimedOut extends RuntimeException {
        AnswerTimedOut() {
            super(null, null, false, false);
        }
    }
}
