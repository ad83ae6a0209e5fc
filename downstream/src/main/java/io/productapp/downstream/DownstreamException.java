package io.productapp.downstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;

import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A downstream call that gave no usable answer: unreachable, too slow, connection lost, an error
 * status or a body that is not JSON. The message names the service, its URL and what happened,
 * e.g. {@code catalogdetail at http://catalogdetail:3000/catalogDetail did not answer in time (3000 ms)}.
 * A caller may subclass it for the answers it tells apart (frontend: productcatalog refused the
 * input); {@link Downstream} passes every subclass through as it is.
 */
public class DownstreamException extends RuntimeException {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int status;

    protected DownstreamException(String message, int status, Throwable cause) {
        super(message, cause, false, false);
        this.status = status;
    }

    /**
     * {@code service}'s error answer as a failure: its status and, when its JSON body has one,
     * its {@code message}. For a REST client's {@code @ClientExceptionMapper}, where the body is
     * already read into memory.
     */
    public static DownstreamException answered(String service, URI uri, Response response) {
        String message = errorMessage(response);
        return new DownstreamException(service + " at " + uri + " answered HTTP " + response.getStatus()
                + (message == null ? "" : ": " + message), response.getStatus(), null);
    }

    /** The {@code message} field of a JSON error body ({@code {"message": ...}}), if it has one. */
    public static String errorMessage(Response response) {
        if (!response.hasEntity()) {
            return null;
        }
        try (InputStream body = response.readEntity(InputStream.class)) {
            JsonNode error = JSON.readTree(body);
            return error != null && error.path("message").isTextual() ? error.get("message").asText() : null;
        } catch (IOException | RuntimeException e) {
            return null; // not JSON: the status alone says what happened
        }
    }

    /** The HTTP status the service answered, or 0 when it gave no answer at all. */
    public int status() {
        return status;
    }
}
