package io.productapp.catalogdetail.rest;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.databind.node.TextNode;

import io.productapp.catalogdetail.config.CatalogDetailConfig;
import io.productapp.catalogdetail.service.CatalogDetail;
import io.productapp.catalogdetail.service.FaultInjection;
import io.smallrye.common.annotation.NonBlocking;

/**
 * The original catalogdetail API. String bodies are JSON strings ({@code "Healthy"} with its
 * quotes), as the original's {@code res.json("Healthy")} sent them.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@NonBlocking // nothing here blocks: answer on the I/O thread
public class CatalogDetailResource {

    private static final RestResponse.Status ERROR = RestResponse.Status.INTERNAL_SERVER_ERROR;

    private final FaultInjection fault;
    private final CatalogDetail detail;

    @Inject
    public CatalogDetailResource(FaultInjection fault, CatalogDetailConfig config) {
        this.fault = fault;
        this.detail = CatalogDetail.from(config);
    }

    @GET
    @Path("catalogDetail")
    public RestResponse<Object> catalogDetail() {
        if (fault.active()) {
            return RestResponse.status(ERROR, TextNode.valueOf("Error"));
        }
        return RestResponse.ok(detail);
    }

    @GET
    @Path("ping")
    public RestResponse<TextNode> ping() {
        if (fault.active()) {
            return RestResponse.status(ERROR, TextNode.valueOf("UnHealthy"));
        }
        return RestResponse.ok(TextNode.valueOf("Healthy"));
    }

    @GET
    @Path("injectFault")
    public RestResponse<TextNode> injectFault() {
        fault.inject();
        return RestResponse.status(ERROR,
                TextNode.valueOf("host: " + fault.hostname() + " will now respond with 500 error."));
    }

    @GET
    @Path("resetFault")
    public RestResponse<TextNode> resetFault() {
        fault.reset();
        return RestResponse.ok(TextNode.valueOf("Removed fault injection from host: " + fault.hostname()));
    }
}
