package io.productapp.productcatalog.client;

import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

/**
 * Fetches catalogdetail's JSON and turns every way the call can fail into one
 * {@link CatalogDetailUnavailableException} that says what happened; the REST layer answers 502.
 */
@ApplicationScoped
public class CatalogDetailClient {

    private final CatalogDetailRestClient client;
    private final String url;

    CatalogDetailClient(@RestClient CatalogDetailRestClient client,
            @ConfigProperty(name = "quarkus.rest-client.catalogdetail.url") String url) {
        this.client = client;
        this.url = url;
    }

    /** catalogdetail's body, passed through untouched (extra fields such as zone included). */
    public Uni<JsonNode> fetch() {
        return client.catalogDetail()
                .onFailure().transform(failure -> new CatalogDetailUnavailableException(describe(failure), failure));
    }

    private String describe(Throwable failure) {
        if (failure instanceof WebApplicationException wae) {
            return "catalogdetail at " + url + " answered HTTP " + wae.getResponse().getStatus();
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return "catalogdetail at " + url + " is unreachable: " + t.getMessage();
            }
            if (t instanceof TimeoutException || t.getClass().getSimpleName().contains("Timeout")) {
                return "catalogdetail at " + url + " did not answer in time";
            }
            if (t instanceof JsonProcessingException) {
                return "catalogdetail at " + url + " answered a body that is not JSON";
            }
        }
        if (failure instanceof ProcessingException) {
            return "catalogdetail at " + url + " answered a body that is not JSON: " + failure.getMessage();
        }
        return "catalogdetail at " + url + " failed: " + failure.getClass().getSimpleName()
                + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
    }

    public static final class CatalogDetailUnavailableException extends RuntimeException {
        CatalogDetailUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
