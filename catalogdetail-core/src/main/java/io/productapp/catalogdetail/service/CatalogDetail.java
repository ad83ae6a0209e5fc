package io.productapp.catalogdetail.service;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

import io.productapp.catalogdetail.config.CatalogDetailConfig;

/**
 * The body of {@code GET /catalogDetail}. Component order is the JSON field order:
 * {@code {"version":"1","vendors":["ABC.com"]}}, then the optional identity fields when known.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@RegisterForReflection // serialised through RestResponse<Object>, which native analysis cannot see
public record CatalogDetail(String version, List<String> vendors, String zone, String instance) {

    public static CatalogDetail from(CatalogDetailConfig config) {
        return new CatalogDetail(config.version(), List.copyOf(config.vendors()),
                config.zone().orElse(null), config.instance().orElse(null));
    }
}
