package io.productapp.downstream;

/**
 * A downstream call that gave no usable answer: unreachable, too slow, connection lost, an error
 * status or a body that is not JSON. The message names the service, its URL and what happened,
 * e.g. {@code catalogdetail at http://catalogdetail:3000/catalogDetail did not answer in 3000 ms}.
 */
public class DownstreamException extends RuntimeException {

    private final int status;

    DownstreamException(String message, int status, Throwable cause) {
        super(message, cause, false, false);
        this.status = status;
    }

    /** The HTTP status the service answered, or 0 when it gave no answer at all. */
    public int status() {
        return status;
    }
}
