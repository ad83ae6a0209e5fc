package io.productapp.frontend.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** productcatalog's {@code GET /products/} body: products by id, and catalogdetail's answer. */
@RegisterForReflection
public record Catalog(Map<String, String> products, JsonNode details) {

    /** The catalogdetail version that served this answer ({@code "1"}, {@code "2"}), if it said. */
    public String version() {
        return text(details, "version");
    }

    /** The availability zone of the catalogdetail instance, when it reports one. */
    public String zone() {
        return text(details, "zone");
    }

    public List<String> vendors() {
        List<String> vendors = new ArrayList<>();
        if (details != null && details.path("vendors").isArray()) {
            details.get("vendors").forEach(v -> vendors.add(v.asText()));
        }
        return vendors;
    }

    private static String text(JsonNode node, String field) {
        return node != null && node.path(field).isValueNode() ? node.get(field).asText() : null;
    }
}
