package io.productapp.mesh.proxy;

import java.net.ConnectException;
import java.time.Duration;
import java.util.function.Consumer;

import io.productapp.mesh.route.Endpoint;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * One try of a request to one endpoint, as Envoy's UpstreamRequest: the request sent with the
 * headers the router gave it, bounded by the per-try timeout, and exactly one {@link Result}
 * reported when it ends, however it ends: answered, unable to connect, reset, timed out, or
 * cancelled by the router.
 */
final class UpstreamTry {

    /** How a try ended. */
    enum Outcome {
        /** The endpoint answered (any status). */
        ANSWERED,
        /** The connection could not be made (refused, or not within the connect timeout): UF. */
        CONNECT_FAILURE,
        /** The connection broke before the whole answer: UC. */
        RESET,
        /** The per-try timeout ran out: UT. */
        PER_TRY_TIMEOUT,
        /** The route timeout ran out while the try was in flight: UT for the request. */
        ROUTE_TIMEOUT,
        /** The request completed otherwise (its caller went away): nobody waits for this try. */
        CANCELLED
    }

    /**
     * The per-try event: the router's retry state, outlier detection and the cluster counters each
     * read it once.
     *
     * @param status the answer's status (answered tries only)
     * @param headers body the answer (answered tries only)
     * @param serviceMillis time from sending to the whole answer
     */
    record Result(Endpoint endpoint, int attempt, Outcome outcome, int status, MultiMap headers, Buffer body, long serviceMillis) {

        /** What outlier detection records: the status, or 503 / 504 for a failure (Envoy counts them as 5xx); -1: nothing. */
        int outlierStatus() {
            return switch (outcome) {
                case ANSWERED -> status;
                case CONNECT_FAILURE, RESET -> 503;
                case PER_TRY_TIMEOUT, ROUTE_TIMEOUT -> 504;
                case CANCELLED -> -1;
            };
        }
    }

    private final Proxy proxy;
    private final Endpoint endpoint;
    private final int attempt;
    private final Consumer<Result> ended;
    private UpstreamConnections.Request inFlight;
    private Outcome stopped;
    private long perTryTimer = -1;

    UpstreamTry(Proxy proxy, Endpoint endpoint, int attempt, Consumer<Result> ended) {
        this.proxy = proxy;
        this.endpoint = endpoint;
        this.attempt = attempt;
        this.ended = ended;
    }

    /** Sends the request; {@code perTryTimeout} null for none. */
    void send(HttpMethod method, String uri, MultiMap headers, Buffer body, Duration connectTimeout, Duration perTryTimeout) {
        if (perTryTimeout != null) {
            perTryTimer = proxy.vertx().setTimer(Math.max(1, perTryTimeout.toMillis()), t -> {
                perTryTimer = -1;
                stop(Outcome.PER_TRY_TIMEOUT);
            });
        }
        long sent = System.nanoTime();
        inFlight = proxy.send(endpoint, method, uri, headers, body, connectTimeout.toMillis(),
                new UpstreamConnections.Exchange() {
                    @Override
                    public void answered(int status, MultiMap answerHeaders, Buffer answerBody) {
                        end(null, new Result(endpoint, attempt, Outcome.ANSWERED, status, answerHeaders, answerBody,
                                (System.nanoTime() - sent) / 1_000_000));
                    }

                    @Override
                    public void failed(Throwable cause) {
                        end(cause, null);
                    }
                });
    }

    /** The try's one result: the answer, or what stopped it. */
    private void end(Throwable failure, Result answer) {
        inFlight = null;
        if (perTryTimer >= 0) {
            proxy.vertx().cancelTimer(perTryTimer);
            perTryTimer = -1;
        }
        if (stopped != null) {
            ended.accept(new Result(endpoint, attempt, stopped, 0, null, null, -1));
        } else if (answer != null) {
            ended.accept(answer);
        } else {
            ended.accept(new Result(endpoint, attempt, isConnectFailure(failure) ? Outcome.CONNECT_FAILURE : Outcome.RESET, 0, null,
                    null, -1));
        }
    }

    /** Ends the try early with {@code why} (reported as its outcome once the request is reset). */
    void stop(Outcome why) {
        if (stopped == null) {
            stopped = why;
            if (inFlight != null) {
                inFlight.reset();
            }
        }
    }

    private static boolean isConnectFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }
}
