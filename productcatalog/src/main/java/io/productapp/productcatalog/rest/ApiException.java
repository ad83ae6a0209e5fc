package io.productapp.productcatalog.rest;

/** A client error with the status and the message that names what was wrong. */
public class ApiException extends RuntimeException {

    private final int statusCode;
    private final String status;

    public ApiException(int statusCode, String status, String message) {
        super(message);
        this.statusCode = statusCode;
        this.status = status;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, "Invalid Argument", message);
    }

    ApiError toError() {
        return new ApiError(status, statusCode, getMessage());
    }
}
