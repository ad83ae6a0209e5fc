package io.productapp.downstream;

import java.time.Duration;

import io.smallrye.config.WithDefault;

/**
 * A downstream endpoint's settings, as a group inside a service's {@code @ConfigMapping}
 * ({@code productcatalog.catalogdetail.*}, {@code frontend.productcatalog.*}).
 */
public interface EndpointConfig {

    /** The absolute URL called, path included, exactly as given. */
    String url();

    /** Bound on connecting. */
    @WithDefault("2s")
    Duration connectTimeout();

    /** Bound on the whole answer; past it the call fails, never hangs. */
    @WithDefault("3s")
    Duration readTimeout();

    /** Keep-alive connections at most. */
    @WithDefault("50")
    int maxConnections();
}
