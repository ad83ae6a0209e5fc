package io.productapp.frontend.rest;

import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.databind.node.TextNode;

import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.productapp.downstream.DownstreamException;
import io.productapp.frontend.client.Catalog;
import io.productapp.frontend.client.ProductCatalogClient;
import io.productapp.frontend.client.ProductCatalogClient.ProductCatalogRejectedException;
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

    /**
     * The page, rendered here on the event loop: the template reads only the catalog in hand, so
     * rendering never blocks, and the string goes out as it is.
     */
    @GET
    @Produces(MediaType.TEXT_HTML)
    public Uni<RestResponse<String>> index() {
        return productCatalog.catalog().map(catalog -> {
            List<Product> products = catalog.products() == null ? List.of()
                    : catalog.products().entrySet().stream().map(e -> new Product(e.getKey(), e.getValue())).toList();
            var page = RestResponse.ResponseBuilder.ok(Templates.index(products, catalog).render(), MediaType.TEXT_HTML_TYPE);
            String version = catalog.version();
            if (version != null) {
                page.header(VERSION_HEADER, version);
            }
            return page.build();
        });
    }

    /**
     * The form's id, stripped of white space at its ends, and name (null if absent) go to
     * productcatalog as they are, for it to judge; only an id that no path segment can carry
     * ({@code .} and {@code ..}, which the path's normalisation removes) is refused here. The
     * body is read by {@link FormFields}, not by {@code @RestForm}.
     */
    @POST
    @Path("products")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<RestResponse<Object>> add(@Context HttpHeaders headers, byte[] body) {
        // @Consumes lets through a body that does not say what it is; it is not a form
        MediaType type = headers.getMediaType();
        if (type == null || type.isWildcardType() || type.isWildcardSubtype()) {
            throw new NotSupportedException();
        }
        Map<String, String> form = FormFields.parse(body, charset(type), Set.of("id", "name"));
        String id = form.get("id") == null ? "" : form.get("id").strip();
        if (id.isEmpty()) {
            throw new ProductCatalogRejectedException(400, "Form field 'id' is required");
        }
        if (id.equals(".") || id.equals("..")) {
            throw new ProductCatalogRejectedException(400, "Form field 'id' must be a non-negative integer, got '" + id + "'");
        }
        return productCatalog.add(id, form.get("name")).map(added -> RestResponse.seeOther(URI.create("/")));
    }

    /** The charset the form's Content-Type names, UTF-8 if none; one Java does not know is refused as the header's fault. */
    private static Charset charset(MediaType type) {
        String name = type.getParameters().get(MediaType.CHARSET_PARAMETER);
        try {
            return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
        } catch (IllegalArgumentException e) {
            throw new NotSupportedException();
        }
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
    RestResponse<String> unavailable(DownstreamException e) {
        return htmlError(502, "productcatalog is unavailable", e.getMessage());
    }

    @ServerExceptionMapper
    RestResponse<String> rejected(ProductCatalogRejectedException e) {
        return htmlError(e.status(), "The product was not added", e.getMessage());
    }

    static RestResponse<String> htmlError(int status, String title, String message) {
        return RestResponse.ResponseBuilder.<String> create(status)
                .entity(Templates.error(status, title, message).render()).type(MediaType.TEXT_HTML_TYPE).build();
    }

}
