package io.productapp.loadtest;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.http.HttpClosedException;

/** The kind of a transport failure, as the report names it. */
final class ErrorKind {

    private ErrorKind() {
    }

    /**
     * By the types in the failure's cause chain: a connect timeout, a refused connection, an unknown
     * host, no route to it, a timeout, a connection reset or closed before the answer; anything else
     * by its own class name.
     */
    /**
     * The JDK's NIO sockets report a peer's reset and a write to a closed connection as a plain
     * IOException, with only these messages to tell them.
     */
    private static boolean isJdkReset(Throwable t) {
        return t.getClass() == java.io.IOException.class && t.getMessage() != null
                && (t.getMessage().equals("Broken pipe") || t.getMessage().startsWith("Connection reset"));
    }

    static String of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectTimeoutException) {
                return "connect timeout";
            }
            if (t instanceof ConnectException) {
                return "connect refused";
            }
            if (t instanceof UnknownHostException) {
                return "unknown host";
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to host";
            }
            if (t instanceof TimeoutException || t instanceof SocketTimeoutException
                    || t instanceof io.netty.handler.timeout.TimeoutException) {
                return "timeout";
            }
            if (t instanceof HttpClosedException || t instanceof SocketException || isJdkReset(t)) {
                return "reset";
            }
        }
        return failure.getClass().getSimpleName();
    }
}
