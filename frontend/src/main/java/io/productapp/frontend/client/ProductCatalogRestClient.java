package io.productapp.frontend.client;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.jboss.resteasy.reactive.RestPath;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

/**
 * productcatalog's products API at {@code BASE_URL}. {@code @RegisterClientHeaders} without a
 * factory propagates the incoming headers listed in
 * {@code org.eclipse.microprofile.rest.client.propagateHeaders}.
 */
@RegisterRestClient(configKey = "productcatalog")
@RegisterClientHeaders
@Produces(MediaType.APPLICATION_JSON)
interface ProductCatalogRestClient {

    record NewProduct(String name) {
    }

    @GET
    Uni<Catalog> list();

    @POST
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<JsonNode> add(@RestPath String id, NewProduct product);
}
