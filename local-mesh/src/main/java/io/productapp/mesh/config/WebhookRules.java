package io.productapp.mesh.config;

import java.util.ArrayList;
import java.util.List;

/**
 * What Istio's validating webhook (istio/istio pkg/config/validation) refuses beyond the schema,
 * for the fields our scenarios use, one class per kind: {@link VirtualServiceWebhook},
 * {@link DestinationRuleWebhook}, {@link GatewayWebhook}, {@link EnvoyFilterWebhook}. Note what it
 * does not refuse: weights need not sum to 100.
 */
public final class WebhookRules {

    private WebhookRules() {
    }

    public static List<Finding> check(Manifest manifest) {
        List<Finding> findings = new ArrayList<>();
        switch (manifest.kind()) {
            case "VirtualService" -> VirtualServiceWebhook.check(manifest, findings);
            case "DestinationRule" -> DestinationRuleWebhook.check(manifest, findings);
            case "Gateway" -> GatewayWebhook.check(manifest, findings);
            case "EnvoyFilter" -> EnvoyFilterWebhook.check(manifest, findings);
            default -> {
            }
        }
        return findings;
    }
}
