package io.productapp.frontend.client;

import java.net.URI;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.jboss.resteasy.reactive.RestPath;

import io.productapp.downstream.DownstreamException;
import io.productapp.downstream.PropagatedHeaders;
import io.productapp.frontend.client.ProductCatalogClient.ProductCatalogRejectedException;
import io.quarkus.rest.client.reactive.ClientExceptionMapper;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;

/**
 * productcatalog's products API at {@code BASE_URL} ({@code quarkus.rest-client.productcatalog.url},
 * trailing slash included, as in the original).
 */
@RegisterRestClient(configKey = "productcatalog")
@RegisterClientHeaders(PropagatedHeaders.class)
@Produces(MediaType.APPLICATION_JSON)
interface ProductCatalogRestClient {

    /** productcatalog's body for a new product; a missing name is sent as null, for productcatalog to name. */
    @RegisterForReflection
    record NewProduct(String name) {
    }

    /** {@code GET BASE_URL}: the products and catalogdetail's answer. */
    @GET
    Uni<Catalog> catalog();

    /** {@code POST BASE_URL<id>} with {@code {"name": ...}}; the id is sent as one path segment, percent-encoded. */
    @POST
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Void> add(@RestPath String id, NewProduct product);

    /**
     * productcatalog refused the input (4xx: its status and message are shown on the page), or
     * it is unavailable (5xx: the page answers 502).
     */
    @ClientExceptionMapper
    static DownstreamException toException(Response response, URI uri) {
        int status = response.getStatus();
        if (status >= 400 && status < 500) {
            String message = DownstreamException.errorMessage(response);
            return new ProductCatalogRejectedException(status, message != null ? message : "productcatalog answered HTTP " + status);
        }
        return DownstreamException.answered("productcatalog", uri, response);
    }
}
