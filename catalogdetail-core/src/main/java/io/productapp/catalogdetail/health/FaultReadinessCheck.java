package io.productapp.catalogdetail.health;

import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.productapp.catalogdetail.config.CatalogDetailConfig;
import io.productapp.catalogdetail.service.FaultInjection;

/**
 * Ready whether or not a fault is injected: the fault belongs to the application, as in the
 * original, and Kubernetes must not act on it (a pod that went unready would leave its Service and
 * hide what the Istio policy does about the failures). The check says whether a fault is injected,
 * for whoever reads it, without changing the status.
 */
@Readiness
public class FaultReadinessCheck implements HealthCheck {

    private final FaultInjection fault;
    private final CatalogDetailConfig config;

    @Inject
    public FaultReadinessCheck(FaultInjection fault, CatalogDetailConfig config) {
        this.fault = fault;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("catalogdetail")
                .up()
                .withData("version", config.version())
                .withData("faultInjected", fault.active())
                .build();
    }
}
