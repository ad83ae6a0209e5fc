package io.productapp.frontend.client;

import java.net.ConnectException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

/**
 * Calls productcatalog and turns failures into two kinds: productcatalog refused the input (its
 * 4xx message is kept, to be shown on the page), or productcatalog is unavailable (502).
 */
@ApplicationScoped
public class ProductCatalogClient {

    private final ProductCatalogRestClient client;
    private final String url;

    ProductCatalogClient(@RestClient ProductCatalogRestClient client,
            @ConfigProperty(name = "quarkus.rest-client.productcatalog.url") String url) {
        this.client = client;
        this.url = url;
    }

    public Uni<Catalog> catalog() {
        return client.list().onFailure().transform(this::translate);
    }

    public Uni<JsonNode> add(String id, String name) {
        return client.add(id, new ProductCatalogRestClient.NewProduct(name)).onFailure().transform(this::translate);
    }

    private RuntimeException translate(Throwable failure) {
        if (failure instanceof WebApplicationException wae) {
            Response response = wae.getResponse();
            int status = response.getStatus();
            if (status >= 400 && status < 500) {
                return new ProductCatalogRejectedException(status, messageOf(response));
            }
            return new ProductCatalogUnavailableException(
                    "productcatalog at " + url + " answered HTTP " + status + messageSuffix(response), failure);
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return new ProductCatalogUnavailableException(
                        "productcatalog at " + url + " is unreachable: " + t.getMessage(), failure);
            }
            if (t.getClass().getSimpleName().contains("Timeout")) {
                return new ProductCatalogUnavailableException(
                        "productcatalog at " + url + " did not answer in time", failure);
            }
        }
        return new ProductCatalogUnavailableException("productcatalog at " + url + " failed: "
                + failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage()),
                failure);
    }

    /** productcatalog errors are {@code {"status":..,"statusCode":..,"message":..}}; keep the message. */
    private static String messageOf(Response response) {
        try {
            JsonNode body = response.readEntity(JsonNode.class);
            if (body != null && body.hasNonNull("message")) {
                return body.get("message").asText();
            }
        } catch (RuntimeException e) {
            // not our JSON error: fall back to the status line
        }
        return "productcatalog answered HTTP " + response.getStatus();
    }

    private static String messageSuffix(Response response) {
        String message = messageOf(response);
        return message.startsWith("productcatalog answered") ? "" : ": " + message;
    }

    public static final class ProductCatalogUnavailableException extends RuntimeException {
        ProductCatalogUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static final class ProductCatalogRejectedException extends RuntimeException {
        private final int status;

        public ProductCatalogRejectedException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
