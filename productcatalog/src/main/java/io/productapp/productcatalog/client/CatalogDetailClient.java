package io.productapp.productcatalog.client;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import com.fasterxml.jackson.databind.JsonNode;

import io.productapp.downstream.Downstream;
import io.productapp.downstream.DownstreamException;
import io.productapp.downstream.Endpoint;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;

/**
 * catalogdetail, as productcatalog uses it: its JSON passed through untouched, within a bounded
 * time; any other outcome is a {@link DownstreamException}, which the REST layer answers with 502.
 */
@ApplicationScoped
@Startup // a bad AGG_APP_URL stops the start with its message, not the first request with a 500
public class CatalogDetailClient {

    private final CatalogDetailRestClient restClient;
    private final Downstream catalogDetail;

    CatalogDetailClient(@RestClient Instance<CatalogDetailRestClient> restClient,
            @ConfigProperty(name = "quarkus.rest-client.catalogdetail.url") String url,
            @ConfigProperty(name = "quarkus.rest-client.catalogdetail.read-timeout") long timeoutMillis) {
        this.catalogDetail = new Downstream(new Endpoint("catalogdetail", "AGG_APP_URL", url, Duration.ofMillis(timeoutMillis)));
        // Created after the URL is checked: the REST client refuses a malformed URL with a
        // message that names neither the setting nor the service.
        this.restClient = restClient.get();
    }

    /** catalogdetail's body, passed through untouched (extra fields such as zone included). */
    public Uni<JsonNode> fetch() {
        return catalogDetail.read(restClient.catalogDetail());
    }
}
