package io.productapp.warmup;

import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * DOWN while the service warms up ({@link WarmUp}), UP after; the data say how far it got: the
 * requests sent, those answered 2xx, the target and how long it took.
 */
@Readiness
public class WarmUpCheck implements HealthCheck {

    private final WarmUp warmUp;

    @Inject
    public WarmUpCheck(WarmUp warmUp) {
        this.warmUp = warmUp;
    }

    @Override
    public HealthCheckResponse call() {
        WarmUp.Progress progress = warmUp.progress();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("warm-up").status(progress.done())
                .withData("target", warmUp.target())
                .withData("sent", progress.sent())
                .withData("answered", progress.answered());
        return response.withData("millis", progress.millis()).build();
    }
}
