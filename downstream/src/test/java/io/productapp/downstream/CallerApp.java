package io.productapp.downstream;

import java.net.URI;
import java.time.Duration;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.rest.client.reactive.ClientExceptionMapper;
import io.smallrye.mutiny.Uni;

/**
 * A service that calls another as productcatalog and frontend do: a REST client with the shared
 * headers factory, wrapped by {@link Downstream}. {@code GET /call/{client}} calls it and answers
 * what came back, or 502 with the failure's message and status (header {@code x-downstream-status}).
 */
@Path("/call")
public class CallerApp {

    @RegisterRestClient(configKey = "catalogdetail")
    @RegisterClientHeaders(PropagatedHeaders.class)
    @Produces(MediaType.APPLICATION_JSON)
    public interface CatalogDetail {
        @GET
        Uni<JsonNode> get();

        @ClientExceptionMapper
        static DownstreamException toException(Response response, URI uri) {
            return DownstreamException.answered("catalogdetail", uri, response);
        }
    }

    /** The same service with a bound long enough for many calls held open at once. */
    @RegisterRestClient(configKey = "patient")
    @RegisterClientHeaders(PropagatedHeaders.class)
    public interface PatientCatalogDetail {
        @GET
        Uni<JsonNode> get();
    }

    @RegisterRestClient(configKey = "unreachable")
    public interface Unreachable {
        @GET
        Uni<JsonNode> get();
    }

    private final CatalogDetail catalogDetail;
    private final Unreachable unreachable;
    private final PatientCatalogDetail patient;
    private final Downstream catalogDetailCalls;
    private final Downstream patientCalls;
    private final Downstream unreachableCalls;

    CallerApp(@RestClient CatalogDetail catalogDetail, @RestClient Unreachable unreachable,
            @RestClient PatientCatalogDetail patient,
            @ConfigProperty(name = "quarkus.rest-client.catalogdetail.url") String catalogDetailUrl,
            @ConfigProperty(name = "quarkus.rest-client.catalogdetail.read-timeout") long timeoutMs,
            @ConfigProperty(name = "quarkus.rest-client.patient.read-timeout") long patientTimeoutMs,
            @ConfigProperty(name = "quarkus.rest-client.unreachable.url") String unreachableUrl) {
        this.catalogDetail = catalogDetail;
        this.unreachable = unreachable;
        this.patient = patient;
        this.patientCalls = new Downstream(new Endpoint("catalogdetail", "AGG_APP_URL", catalogDetailUrl,
                Duration.ofMillis(patientTimeoutMs)));
        this.catalogDetailCalls = new Downstream(new Endpoint("catalogdetail", "AGG_APP_URL", catalogDetailUrl,
                Duration.ofMillis(timeoutMs)));
        this.unreachableCalls = new Downstream(new Endpoint("catalogdetail", "AGG_APP_URL", unreachableUrl,
                Duration.ofMillis(timeoutMs)));
    }

    @GET
    @Path("catalogdetail")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<JsonNode> catalogDetail() {
        return catalogDetailCalls.read(catalogDetail.get());
    }

    @GET
    @Path("patient")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<JsonNode> patient() {
        return patientCalls.read(patient.get());
    }

    @GET
    @Path("unreachable")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<JsonNode> unreachable() {
        return unreachableCalls.read(unreachable.get());
    }

    /** A call made outside any request: what the headers factory forwards then. */
    Uni<JsonNode> catalogDetailOutsideAnyRequest() {
        return catalogDetailCalls.read(catalogDetail.get());
    }

    @ServerExceptionMapper
    RestResponse<String> failed(DownstreamException e) {
        return RestResponse.ResponseBuilder.<String> create(502).entity(e.getMessage())
                .header("x-downstream-status", e.status()).type(MediaType.TEXT_PLAIN_TYPE).build();
    }
}
