package io.productapp.productcatalog.rest;

import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.productapp.productcatalog.client.CatalogDetailClient;
import io.productapp.productcatalog.service.ProductStore;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

@Path("/products")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "products", description = "Products from Product Catalog")
public class ProductResource {

    private final ProductStore store;
    private final CatalogDetailClient catalogDetail;

    ProductResource(ProductStore store, CatalogDetailClient catalogDetail) {
        this.store = store;
        this.catalogDetail = catalogDetail;
    }

    public record ProductList(Map<Integer, String> products, JsonNode details) {
    }

    public record ProductDetails(String status, String name, JsonNode details) {
    }

    public record ProductAdded(String status, String name) {
    }

    @GET
    @Operation(summary = "List of products", description = "All products, with catalogdetail's answer")
    @APIResponse(responseCode = "502", description = "catalogdetail unreachable or failing")
    public Uni<ProductList> list() {
        return catalogDetail.fetch().map(details -> new ProductList(store.all(), details));
    }

    @GET
    @Path("ping")
    @NonBlocking
    @Operation(summary = "Liveness of the original API")
    public TextNode ping() {
        return TextNode.valueOf("healthy");
    }

    @GET
    @Path("{id}")
    @Operation(summary = "One product, with catalogdetail's answer")
    @APIResponse(responseCode = "400", description = "id is not a non-negative integer")
    @APIResponse(responseCode = "404", description = "no product with this id")
    @APIResponse(responseCode = "502", description = "catalogdetail unreachable or failing")
    public Uni<ProductDetails> get(@Parameter(description = "Specify the ProductId") @RestPath String id,
            @Context HttpServerRequest request) {
        int productId = parseId(id, request);
        String name = store.find(productId).orElseThrow(() -> new ApiException(404, "Product not found",
                "No product with id " + productId + " in the Product Catalog"));
        return catalogDetail.fetch().map(details -> new ProductDetails("Product Details retrieved", name, details));
    }

    @POST
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @NonBlocking
    @Operation(summary = "Add (or rename) a product")
    @APIResponse(responseCode = "400", description = "bad id or body; the message names the field")
    @APIResponse(responseCode = "415", description = "no Content-Type, a wildcard, or not application/json")
    @APIResponse(responseCode = "507", description = "the store is full")
    public ProductAdded add(@Parameter(description = "Specify the ProductId") @RestPath String id,
            @Context HttpServerRequest request, @Context HttpHeaders headers,
            @Valid @NotNull(message = "Request body is required: a JSON object with the field 'name'") NewProduct product) {
        // @Consumes lets through, and reads as JSON, a body that does not say what it is
        MediaType type = headers.getMediaType();
        if (type == null || type.isWildcardType() || type.isWildcardSubtype()) {
            throw new NotSupportedException();
        }
        int productId = parseId(id, request);
        store.put(productId, product.name());
        return new ProductAdded("New Product added to Product Catalog", product.name());
    }

    /**
     * The id, written in ASCII digits only (leading zeros read as the number they write):
     * {@code Integer.parseInt} also takes a sign and other scripts' digits ({@code +1}, {@code -0},
     * {@code ١}, {@code １}), and {@code @RestPath} drops matrix parameters ({@code 1;x=2} reads as
     * {@code 1}), which would let paths that are no id reach a product.
     */
    private static int parseId(String id, HttpServerRequest request) {
        String path = request.path(); // as sent: matrix parameters kept, nothing decoded
        boolean matrix = path.indexOf(';') >= 0;
        if (!matrix && !id.isEmpty() && id.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                return Integer.parseInt(id);
            } catch (NumberFormatException e) {
                // too large: reported below
            }
        }
        String written = matrix ? path : id;
        throw ApiException.badRequest("Path parameter 'id' must be a non-negative integer, got '" + written + "'");
    }
}
