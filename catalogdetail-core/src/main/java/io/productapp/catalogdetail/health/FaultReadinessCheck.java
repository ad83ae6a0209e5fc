package io.productapp.catalogdetail.health;

import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.productapp.catalogdetail.config.CatalogDetailConfig;
import io.productapp.catalogdetail.service.FaultInjection;

/** Not ready while a fault is injected, so Kubernetes takes the pod out of the Service. */
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
                .status(!fault.active())
                .withData("version", config.version())
                .withData("faultInjected", fault.active())
                .build();
    }
}
