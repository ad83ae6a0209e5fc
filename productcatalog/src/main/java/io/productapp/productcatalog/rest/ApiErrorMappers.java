package io.productapp.productcatalog.rest;

import java.util.Comparator;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException.Reference;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.productapp.downstream.DownstreamException;
import io.productapp.productcatalog.service.ProductStore.StoreFullException;

/** Turns every failure into a JSON {@link ApiError} with the right status and a message naming the field. */
class ApiErrorMappers {

    private static final Logger LOG = Logger.getLogger(ApiErrorMappers.class);
    private static final int BAD_REQUEST = 400;
    private static final int INSUFFICIENT_STORAGE = 507;
    private static final int BAD_GATEWAY = 502;
    private static final String INVALID = "Invalid Argument";

    @ServerExceptionMapper
    RestResponse<ApiError> apiError(ApiException e) {
        return respond(e.toError());
    }

    /** Bean Validation of a request body: the first broken constraint's message, which names its field. */
    @ServerExceptionMapper
    RestResponse<ApiError> invalidBody(ConstraintViolationException e) {
        String message = e.getConstraintViolations().stream()
                .map(ConstraintViolation::getMessage)
                .min(Comparator.naturalOrder())
                .orElse("Request body is invalid");
        return respond(new ApiError(INVALID, BAD_REQUEST, message));
    }

    /** A body of the wrong shape: a field of the wrong type names the field, anything else says what was expected. */
    @ServerExceptionMapper
    RestResponse<ApiError> wrongShape(MismatchedInputException e) {
        String field = e.getPath().stream().map(Reference::getFieldName).filter(f -> f != null)
                .reduce((a, b) -> a + "." + b).orElse(null);
        String message = field == null
                ? "Request body must be exactly one JSON object with the field 'name': " + e.getOriginalMessage()
                : "Field '" + field + "' must be " + typeName(e.getTargetType());
        return respond(new ApiError(INVALID, BAD_REQUEST, message));
    }

    /** A body that is not JSON at all. */
    @ServerExceptionMapper
    RestResponse<ApiError> notJson(JsonProcessingException e) {
        String where = e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        return respond(new ApiError(INVALID, BAD_REQUEST, "Request body is not valid JSON: " + e.getOriginalMessage() + where));
    }

    @ServerExceptionMapper
    RestResponse<ApiError> storeFull(StoreFullException e) {
        return respond(new ApiError("Could not save information", INSUFFICIENT_STORAGE, e.getMessage()));
    }

    @ServerExceptionMapper
    RestResponse<ApiError> catalogDetailUnavailable(DownstreamException e) {
        LOG.warn(e.getMessage());
        return respond(new ApiError("Could not retrieve information", BAD_GATEWAY, e.getMessage()));
    }

    /** 404 for unknown paths, 405, 406, 415 ...: the same JSON shape as our own errors. */
    @ServerExceptionMapper
    RestResponse<ApiError> webApplication(WebApplicationException e) {
        if (e.getCause() instanceof MismatchedInputException wrongShape) { // the JSON body reader's, wrapped
            return wrongShape(wrongShape);
        }
        if (e.getCause() instanceof JsonProcessingException notJson) {
            return notJson(notJson);
        }
        Response response = e.getResponse();
        String reason = response.getStatusInfo().getReasonPhrase();
        String message = e instanceof NotSupportedException
                ? "Header 'Content-Type' must be application/json"
                : e.getMessage() == null ? reason : e.getMessage();
        return respond(new ApiError(reason, response.getStatus(), message));
    }

    private static String typeName(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (CharSequence.class.isAssignableFrom(type)) {
            return "a string";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number";
        }
        return "a JSON object";
    }

    private static RestResponse<ApiError> respond(ApiError error) {
        return RestResponse.ResponseBuilder.<ApiError> create(error.statusCode()).entity(error).build();
    }
}
