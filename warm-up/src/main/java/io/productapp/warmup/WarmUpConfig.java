package io.productapp.warmup;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The service's warm-up before readiness ({@code productapp.warm-up.*}; as environment variables
 * {@code PRODUCTAPP_WARM_UP_REQUESTS} and so on).
 */
@ConfigMapping(prefix = "productapp.warm-up")
public interface WarmUpConfig {

    /** The path the service sends itself its warm-up requests on, as a client would call it; none: no warm-up. */
    Optional<String> path();

    /** Answers 2xx to wait for before the service reports ready; 0: no warm-up. */
    @WithDefault("300")
    int requests();

    /** Requests in flight at once. */
    @WithDefault("2")
    int concurrency();

    /** The bound on the whole warm-up: the service reports ready after it whatever was answered. */
    @WithDefault("20s")
    Duration timeout();

    /** The pause of a lane after an answer that was not 2xx (a downstream not ready yet, say). */
    @WithDefault("100ms")
    Duration retryPause();
}
