package io.productapp.productcatalog.client;

import java.net.URI;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import com.fasterxml.jackson.databind.JsonNode;

import io.productapp.downstream.DownstreamException;
import io.productapp.downstream.PropagatedHeaders;
import io.quarkus.rest.client.reactive.ClientExceptionMapper;
import io.smallrye.mutiny.Uni;

/**
 * catalogdetail's API at {@code AGG_APP_URL} ({@code quarkus.rest-client.catalogdetail.url}),
 * called exactly as given: the interface adds no path.
 */
@RegisterRestClient(configKey = "catalogdetail")
@RegisterClientHeaders(PropagatedHeaders.class)
@Produces(MediaType.APPLICATION_JSON)
interface CatalogDetailRestClient {

    /** catalogdetail's body: {@code {"version":"1","vendors":[...]}} and any extra fields. */
    @GET
    Uni<JsonNode> catalogDetail();

    /** Any error status: the page cannot be served without catalogdetail's answer. */
    @ClientExceptionMapper
    static DownstreamException toException(Response response, URI uri) {
        return DownstreamException.answered("catalogdetail", uri, response);
    }
}
