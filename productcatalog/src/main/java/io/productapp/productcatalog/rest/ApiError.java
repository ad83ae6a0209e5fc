package io.productapp.productcatalog.rest;

/** Every error body: {@code {"status":...,"statusCode":...,"message":...}} (the original's shape). */
public record ApiError(String status, int statusCode, String message) {
}
