package io.productapp.productcatalog.client;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.productapp.downstream.Downstream;
import io.productapp.downstream.DownstreamException;
import io.productapp.downstream.Endpoint;
import io.productapp.downstream.HeaderPropagation;
import io.productapp.productcatalog.config.ProductCatalogConfig;
import io.quarkus.runtime.Startup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * catalogdetail's endpoint ({@code AGG_APP_URL}, called exactly as given). Its JSON is passed
 * through untouched; any other outcome is a {@link DownstreamException}, which the REST layer
 * answers with 502.
 */
@ApplicationScoped
@Startup // a bad AGG_APP_URL stops the start with its message, not the first request with a 500
public class CatalogDetailClient {

    private final Downstream catalogDetail;

    CatalogDetailClient(Vertx vertx, HeaderPropagation propagation, ObjectMapper mapper, ProductCatalogConfig config) {
        this.catalogDetail = new Downstream(vertx, Endpoint.of("catalogdetail", "AGG_APP_URL", config.catalogdetail()),
                propagation, mapper);
    }

    /** catalogdetail's body, passed through untouched (extra fields such as zone included). */
    public Future<JsonNode> fetch() {
        return catalogDetail.get().map(answer -> {
            if (!answer.successful()) {
                throw answer.failure();
            }
            return answer.json(JsonNode.class);
        });
    }

    @PreDestroy
    void close() {
        catalogDetail.close();
    }
}
