package io.productapp.frontend.client;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import io.productapp.downstream.Downstream;
import io.productapp.downstream.DownstreamException;
import io.productapp.downstream.Endpoint;
import io.productapp.frontend.client.ProductCatalogRestClient.NewProduct;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;

/**
 * productcatalog, as the page uses it, within a bounded time. Its failures come in two kinds:
 * productcatalog refused the input ({@link ProductCatalogRejectedException}: status and message
 * are kept, to be shown on the page), or productcatalog is unavailable
 * ({@link DownstreamException}: the page answers 502).
 */
@ApplicationScoped
@Startup // a bad BASE_URL stops the start with its message, not the first request with a 500
public class ProductCatalogClient {

    private final ProductCatalogRestClient restClient;
    private final Downstream productCatalog;

    ProductCatalogClient(@RestClient Instance<ProductCatalogRestClient> restClient,
            @ConfigProperty(name = "quarkus.rest-client.productcatalog.url") String url,
            @ConfigProperty(name = "quarkus.rest-client.productcatalog.read-timeout") long timeoutMillis) {
        this.productCatalog = new Downstream(new Endpoint("productcatalog", "BASE_URL", url, Duration.ofMillis(timeoutMillis)));
        // Created after the URL is checked: the REST client refuses a malformed URL with a
        // message that names neither the setting nor the service.
        this.restClient = restClient.get();
    }

    /** {@code GET BASE_URL}: the products and catalogdetail's answer. */
    public Uni<Catalog> catalog() {
        return productCatalog.read(restClient.catalog());
    }

    /** {@code POST BASE_URL<id>} with {@code {"name": ...}}. */
    public Uni<Void> add(String id, String name) {
        return productCatalog.send(restClient.add(id, new NewProduct(name)));
    }

    /** productcatalog refused the input: its status (4xx) and its message, for the page to show. */
    public static final class ProductCatalogRejectedException extends DownstreamException {
        public ProductCatalogRejectedException(int status, String message) {
            super(message, status, null);
        }
    }
}
