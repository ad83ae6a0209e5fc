package io.productapp.productcatalog.client;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

/**
 * catalogdetail's endpoint. No {@code @Path}: the configured URL ({@code AGG_APP_URL}) is the
 * whole endpoint, path included. {@code @RegisterClientHeaders} without a factory propagates the
 * incoming headers listed in {@code org.eclipse.microprofile.rest.client.propagateHeaders}.
 */
@RegisterRestClient(configKey = "catalogdetail")
@RegisterClientHeaders
interface CatalogDetailRestClient {

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    Uni<JsonNode> catalogDetail();
}
