package io.productapp.productcatalog.rest;

import java.util.Map;
import java.util.concurrent.CompletionStage;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;

import io.productapp.productcatalog.client.CatalogDetailClient;
import io.productapp.productcatalog.config.ProductCatalogConfig;
import io.productapp.productcatalog.service.ProductStore;
import io.smallrye.common.annotation.NonBlocking;

@Path("/products")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "products", description = "Products from Product Catalog")
public class ProductResource {

    private final ProductStore store;
    private final CatalogDetailClient catalogDetail;
    private final ObjectMapper mapper;
    private final int maxNameLength;

    ProductResource(ProductStore store, CatalogDetailClient catalogDetail, ObjectMapper mapper,
            ProductCatalogConfig config) {
        this.store = store;
        this.catalogDetail = catalogDetail;
        this.mapper = mapper;
        this.maxNameLength = config.store().maxNameLength();
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
    public CompletionStage<ProductList> list() {
        return catalogDetail.fetch().map(details -> new ProductList(store.all(), details)).toCompletionStage();
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
    public CompletionStage<ProductDetails> get(@Parameter(description = "Specify the ProductId") @RestPath String id) {
        int productId = parseId(id);
        String name = store.find(productId).orElseThrow(() -> new ApiException(404, "Product not found",
                "No product with id " + productId + " in the Product Catalog"));
        return catalogDetail.fetch().map(details -> new ProductDetails("Product Details retrieved", name, details))
                .toCompletionStage();
    }

    @POST
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @NonBlocking
    @Operation(summary = "Add (or rename) a product")
    @RequestBody(required = true, content = @Content(schema = @Schema(implementation = NewProduct.class)))
    @APIResponse(responseCode = "400", description = "bad id or body; the message names the field")
    @APIResponse(responseCode = "507", description = "the store is full")
    public ProductAdded add(@Parameter(description = "Specify the ProductId") @RestPath String id, String body) {
        int productId = parseId(id);
        NewProduct product = NewProduct.parse(body, mapper, maxNameLength);
        store.put(productId, product.name());
        return new ProductAdded("New Product added to Product Catalog", product.name());
    }

    private static int parseId(String id) {
        try {
            int value = Integer.parseInt(id);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.badRequest("Path parameter 'id' must be a non-negative integer, got '" + id + "'");
    }
}
