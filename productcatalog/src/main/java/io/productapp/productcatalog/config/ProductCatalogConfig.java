package io.productapp.productcatalog.config;

import io.productapp.downstream.EndpointConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "productcatalog")
public interface ProductCatalogConfig {

    Store store();

    /**
     * catalogdetail's endpoint ({@code AGG_APP_URL}, path included, called exactly as given: the
     * path-based-routing scenario points it at {@code .../v1/catalogDetail}) and its bounds.
     */
    EndpointConfig catalogdetail();

    interface Store {
        /**
         * How many products the in-memory store holds. The original's dictionary grew without
         * bound; ours answers 507 once full (updating an existing id still works).
         */
        @WithDefault("1000")
        int maxProducts();

        /** Longest product name accepted, in characters. */
        @WithDefault("256")
        int maxNameLength();
    }
}
