package io.productapp.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.impl.NoStackTraceTimeoutException;

/** Transport failures are named by their types, wherever they sit in the cause chain; never by names or messages. */
class ErrorKindTest {

    /** A failure whose class name and message say "timeout", and which is not one. */
    static final class NotATimeoutException extends RuntimeException {
        NotATimeoutException() {
            super("timeout reset refused");
        }
    }

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of(new ConnectTimeoutException("connection timed out after 30000 ms"), "connect timeout"),
                Arguments.of(new ConnectException("Connection refused"), "connect refused"),
                Arguments.of(new VertxException(new ConnectException("Connection refused")), "connect refused"),
                Arguments.of(new UnknownHostException("catalogdetail"), "unknown host"),
                Arguments.of(new NoStackTraceTimeoutException("The timeout period of 30000ms has been exceeded"), "timeout"),
                Arguments.of(new SocketTimeoutException("Read timed out"), "timeout"),
                Arguments.of(ReadTimeoutException.INSTANCE, "timeout"),
                Arguments.of(new HttpClosedException("Connection was closed"), "reset"),
                Arguments.of(new SocketException("Connection reset"), "reset"),
                Arguments.of(new NoRouteToHostException("No route to host"), "no route to host"),
                Arguments.of(new IllegalStateException(new SocketException("Connection reset")), "reset"),
                Arguments.of(new java.io.IOException("Broken pipe"), "reset"),
                Arguments.of(new java.io.IOException("Connection reset by peer"), "reset"),
                Arguments.of(new java.io.IOException("No space left on device"), "IOException"),
                Arguments.of(new NotATimeoutException(), "NotATimeoutException"),
                Arguments.of(new IllegalStateException("connection reset, timeout"), "IllegalStateException"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("failures")
    void aFailureIsNamedByItsType(Throwable failure, String kind) {
        assertThat(ErrorKind.of(failure)).isEqualTo(kind);
    }
}
