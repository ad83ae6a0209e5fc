package io.productapp.mesh.config;

import com.fasterxml.jackson.databind.JsonNode;

/** One Kubernetes object from a YAML document: where it came from, and its body. */
public record Manifest(String file, int line, JsonNode body) {

    public String apiVersion() {
        return body.path("apiVersion").asText("");
    }

    public String kind() {
        return body.path("kind").asText("");
    }

    public String name() {
        return body.path("metadata").path("name").asText("");
    }

    public String group() {
        String apiVersion = apiVersion();
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    public String version() {
        String apiVersion = apiVersion();
        return apiVersion.substring(apiVersion.indexOf('/') + 1);
    }

    public JsonNode spec() {
        return body.path("spec");
    }

    /** {@code VirtualService catalogdetail}: how findings name the object. */
    public String subject() {
        return kind() + " " + name();
    }

    /** Its {@code metadata.namespace}, or {@code defaultNamespace} when it names none (kubectl apply -n). */
    public String namespace(String defaultNamespace) {
        String namespace = body.path("metadata").path("namespace").asText("");
        return namespace.isEmpty() ? defaultNamespace : namespace;
    }

    /**
     * The identity {@code kubectl apply -n defaultNamespace} uses to decide that a later object
     * replaces an earlier one: group, kind, namespace and name.
     */
    public String key(String defaultNamespace) {
        return group() + "/" + kind() + "/" + namespace(defaultNamespace) + "/" + name();
    }
}
