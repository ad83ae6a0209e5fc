package io.productapp.frontend.rest;

import java.net.URI;
import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.databind.node.TextNode;

import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.productapp.frontend.client.Catalog;
import io.productapp.frontend.client.ProductCatalogClient;
import io.productapp.frontend.client.ProductCatalogClient.ProductCatalogRejectedException;
import io.productapp.frontend.client.ProductCatalogClient.ProductCatalogUnavailableException;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;

@Path("/")
public class FrontendResource {

    /** Names the catalogdetail version behind the page, so a load generator at the ingress can count versions. */
    public static final String VERSION_HEADER = "x-catalogdetail-version";

    private final ProductCatalogClient productCatalog;
    private final PrometheusMeterRegistry registry;

    FrontendResource(ProductCatalogClient productCatalog, PrometheusMeterRegistry registry) {
        this.productCatalog = productCatalog;
        this.registry = registry;
    }

    public record Product(String id, String name) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance index(List<Product> products, Catalog catalog);

        static native TemplateInstance error(int status, String title, String message);
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Uni<RestResponse<TemplateInstance>> index() {
        return productCatalog.catalog().map(catalog -> {
            List<Product> products = catalog.products() == null ? List.of()
                    : catalog.products().entrySet().stream().map(e -> new Product(e.getKey(), e.getValue())).toList();
            var page = RestResponse.ResponseBuilder.ok(Templates.index(products, catalog), MediaType.TEXT_HTML_TYPE);
            if (catalog.version() != null) {
                page.header(VERSION_HEADER, catalog.version());
            }
            return page.build();
        });
    }

    @POST
    @Path("products")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<RestResponse<Object>> add(@RestForm String id, @RestForm String name) {
        if (id == null || id.isBlank()) {
            throw new ProductCatalogRejectedException(400, "Form field 'id' is required");
        }
        return productCatalog.add(id.trim(), name).map(added -> RestResponse.seeOther(URI.create("/")));
    }

    @GET
    @Path("ping")
    @Produces(MediaType.APPLICATION_JSON)
    @NonBlocking
    public TextNode ping() {
        return TextNode.valueOf("Healthy");
    }

    /** The original frontend served Prometheus metrics at /metrics; /q/metrics serves the same. */
    @GET
    @Path("metrics")
    @Produces("text/plain; version=0.0.4; charset=utf-8")
    public String metrics() {
        return registry.scrape();
    }

    @ServerExceptionMapper
    RestResponse<TemplateInstance> unavailable(ProductCatalogUnavailableException e) {
        return htmlError(502, "productcatalog is unavailable", e.getMessage());
    }

    @ServerExceptionMapper
    RestResponse<TemplateInstance> rejected(ProductCatalogRejectedException e) {
        return htmlError(e.status(), "The product was not added", e.getMessage());
    }

    private static RestResponse<TemplateInstance> htmlError(int status, String title, String message) {
        return RestResponse.ResponseBuilder.<TemplateInstance> create(status)
                .entity(Templates.error(status, title, message)).type(MediaType.TEXT_HTML_TYPE).build();
    }

}
