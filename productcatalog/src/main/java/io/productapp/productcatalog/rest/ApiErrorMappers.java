package io.productapp.productcatalog.rest;

import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.productapp.downstream.DownstreamException;
import io.productapp.productcatalog.service.ProductStore.StoreFullException;

/** Turns every failure into a JSON {@link ApiError} with the right status. */
class ApiErrorMappers {

    private static final Logger LOG = Logger.getLogger(ApiErrorMappers.class);
    private static final int INSUFFICIENT_STORAGE = 507;
    private static final int BAD_GATEWAY = 502;

    @ServerExceptionMapper
    RestResponse<ApiError> apiError(ApiException e) {
        return respond(e.toError());
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
        Response response = e.getResponse();
        String reason = response.getStatusInfo().getReasonPhrase();
        String message = e instanceof NotSupportedException
                ? "Header 'Content-Type' must be application/json"
                : e.getMessage() == null ? reason : e.getMessage();
        return respond(new ApiError(reason, response.getStatus(), message));
    }

    private static RestResponse<ApiError> respond(ApiError error) {
        return RestResponse.ResponseBuilder.<ApiError> create(error.statusCode()).entity(error).build();
    }
}
