package io.productapp.productcatalog.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "productcatalog")
public interface ProductCatalogConfig {

    Store store();

    interface Store {
        /**
         * How many products the in-memory store holds. The original's dictionary grew without
         * bound; ours answers 507 once full (updating an existing id still works).
         */
        @WithDefault("1000")
        int maxProducts();
    }
}
