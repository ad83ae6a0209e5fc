package io.productapp.frontend.client;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.productapp.downstream.Downstream;
import io.productapp.downstream.Downstream.Answer;
import io.productapp.downstream.DownstreamException;
import io.productapp.downstream.Endpoint;
import io.productapp.downstream.HeaderPropagation;
import io.productapp.frontend.config.FrontendConfig;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * productcatalog's products API at {@code BASE_URL}. Its answers come in two kinds of failure:
 * productcatalog refused the input (4xx: status and message are kept, to be shown on the page),
 * or productcatalog is unavailable ({@link DownstreamException}: the page answers 502).
 */
@ApplicationScoped
@Startup // a bad BASE_URL stops the start with its message, not the first request with a 500
public class ProductCatalogClient {

    private final Downstream productCatalog;

    ProductCatalogClient(Vertx vertx, HeaderPropagation propagation, ObjectMapper mapper, FrontendConfig config) {
        this.productCatalog = new Downstream(vertx, Endpoint.of("productcatalog", "BASE_URL", config.productcatalog()),
                propagation, mapper);
    }

    /** productcatalog's body for a new product; a missing name is sent as null, for productcatalog to name. */
    @RegisterForReflection
    record NewProduct(String name) {
    }

    /** {@code GET BASE_URL}: the products and catalogdetail's answer. */
    public Future<Catalog> catalog() {
        return productCatalog.get().map(answer -> accepted(answer).json(Catalog.class));
    }

    /** {@code POST BASE_URL<id>} with {@code {"name": ...}}. */
    public Future<Void> add(String id, String name) {
        return productCatalog.postJson(id, new NewProduct(name))
                .map(answer -> {
                    accepted(answer);
                    return null;
                });
    }

    private static Answer accepted(Answer answer) {
        if (answer.successful()) {
            return answer;
        }
        if (answer.status() >= 400 && answer.status() < 500) {
            String message = answer.errorMessage();
            throw new ProductCatalogRejectedException(answer.status(),
                    message != null ? message : "productcatalog answered HTTP " + answer.status());
        }
        throw answer.failure();
    }

    @PreDestroy
    void close() {
        productCatalog.close();
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
