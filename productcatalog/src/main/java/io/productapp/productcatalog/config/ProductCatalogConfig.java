package io.productapp.productcatalog.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "productcatalog")
public interface ProductCatalogConfig {

    Store store();

    CatalogDetail catalogdetail();

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

    interface CatalogDetail {
        /**
         * catalogdetail's endpoint, path included, called exactly as given ({@code AGG_APP_URL}):
         * the path-based-routing scenario points it at {@code .../v1/catalogDetail}.
         */
        @WithDefault("http://localhost:3000/catalogDetail")
        String url();

        /** Bound on connecting to catalogdetail. */
        @WithDefault("2s")
        Duration connectTimeout();

        /** Bound on catalogdetail's whole answer; past it the caller gets 502, never a hang. */
        @WithDefault("3s")
        Duration readTimeout();

        /** Keep-alive connections to catalogdetail at most. */
        @WithDefault("50")
        int maxConnections();
    }
}
