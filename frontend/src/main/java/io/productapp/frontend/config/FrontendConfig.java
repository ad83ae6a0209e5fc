package io.productapp.frontend.config;

import io.productapp.downstream.EndpointConfig;
import io.smallrye.config.ConfigMapping;

@ConfigMapping(prefix = "frontend")
public interface FrontendConfig {

    /**
     * productcatalog's products URL ({@code BASE_URL}, trailing slash included, as in the
     * original) and its bounds.
     */
    EndpointConfig productcatalog();
}
