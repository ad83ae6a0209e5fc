package io.productapp.mesh.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** Reads multi-document YAML into {@link Manifest}s; malformed YAML becomes a finding with its line. */
public final class ManifestReader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** What a read produced: the objects, and the findings for what could not be read. */
    public record Result(List<Manifest> manifests, List<Finding> findings) {
    }

    private ManifestReader() {
    }

    public static Result read(Path file, String display) {
        try {
            return read(Files.readString(file), display);
        } catch (IOException e) {
            return new Result(List.of(), List.of(new Finding("YAML", Finding.Level.ERROR, display, null,
                    "cannot read: " + e.getMessage())));
        }
    }

    /**
     * Drops the fields whose value is an explicit null, as the API server does before it validates
     * and stores an object ({@code route: null} is no route); null items of a list stay, and fail
     * the schema as they fail there.
     */
    static void withoutNulls(JsonNode node) {
        if (node instanceof ObjectNode object) {
            List<String> nulls = new ArrayList<>();
            object.fields().forEachRemaining(field -> {
                if (field.getValue().isNull()) {
                    nulls.add(field.getKey());
                } else {
                    withoutNulls(field.getValue());
                }
            });
            object.remove(nulls);
        } else if (node.isArray()) {
            node.forEach(ManifestReader::withoutNulls);
        }
    }

    public static Result read(String yaml, String display) {
        List<Manifest> manifests = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        try (JsonParser parser = YAML.getFactory().createParser(yaml)) {
            while (parser.nextToken() != null) {
                int line = parser.currentTokenLocation().getLineNr();
                JsonNode node = YAML.readTree(parser);
                if (node == null || node.isNull() || node.isMissingNode()) {
                    continue; // empty document
                }
                if (!node.isObject()) {
                    findings.add(new Finding("YAML", Finding.Level.ERROR, display + ":" + line, null,
                            "a document must be a Kubernetes object (a mapping), found " + node.getNodeType().toString().toLowerCase()));
                    continue;
                }
                withoutNulls(node);
                if (node.path("kind").asText("").equals("List") && node.path("apiVersion").asText("").equals("v1")) {
                    // kubectl get -o yaml's wrapper: its items are the objects
                    for (JsonNode item : node.path("items")) {
                        if (item.isObject()) {
                            manifests.add(new Manifest(display, line, item));
                        } else {
                            findings.add(new Finding("YAML", Finding.Level.ERROR, display + ":" + line, null,
                                    "an item of a List must be a Kubernetes object (a mapping), found " + item.getNodeType().toString().toLowerCase()));
                        }
                    }
                    continue;
                }
                manifests.add(new Manifest(display, line, node));
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? display : display + ":" + at.getLineNr();
            findings.add(new Finding("YAML", Finding.Level.ERROR, where, null,
                    "malformed YAML: " + e.getOriginalMessage().lines().findFirst().orElse("")));
        } catch (IOException e) {
            findings.add(new Finding("YAML", Finding.Level.ERROR, display, null, "cannot read: " + e.getMessage()));
        }
        return new Result(manifests, findings);
    }
}
