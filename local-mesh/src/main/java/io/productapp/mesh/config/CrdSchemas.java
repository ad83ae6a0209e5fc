package io.productapp.mesh.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * The OpenAPI v3 schemas of Istio's CRDs (release 1.30.3, shipped as a resource). Checks a
 * manifest the way the API server would with strict field validation: the standard keywords
 * through a JSON-schema validator, and by hand what such a validator misses (unknown fields —
 * no Istio schema sets additionalProperties: false — and the CEL duration rules).
 */
public final class CrdSchemas {

    static final String RESOURCE = "/istio/crds-1.30.3.gen.yaml";
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    private record Served(JsonNode schema, JsonSchema compiled) {
    }

    /** group/kind → version → schema */
    private final Map<String, Map<String, Served>> schemas = new LinkedHashMap<>();

    private CrdSchemas() {
    }

    public static CrdSchemas load() {
        CrdSchemas crds = new CrdSchemas();
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);
        try (InputStream in = CrdSchemas.class.getResourceAsStream(RESOURCE);
                JsonParser parser = yaml.getFactory().createParser(in)) {
            while (parser.nextToken() != null) {
                JsonNode crd = yaml.readTree(parser);
                if (crd == null || !"CustomResourceDefinition".equals(crd.path("kind").asText())) {
                    continue;
                }
                String key = crd.path("spec").path("group").asText() + "/" + crd.path("spec").path("names").path("kind").asText();
                for (JsonNode version : crd.path("spec").path("versions")) {
                    if (version.path("served").asBoolean(true)) {
                        JsonNode schema = version.path("schema").path("openAPIV3Schema");
                        crds.schemas.computeIfAbsent(key, k -> new LinkedHashMap<>())
                                .put(version.path("name").asText(), new Served(schema, factory.getSchema(schema)));
                    }
                }
            }
        } catch (IOException | NullPointerException e) {
            throw new UncheckedIOException(new IOException("cannot read " + RESOURCE, e));
        }
        return crds;
    }

    /** Whether the group is Istio's (its kinds are checked against these schemas). */
    public boolean isIstioGroup(String group) {
        return group.endsWith(".istio.io");
    }

    public Optional<List<String>> servedVersions(String group, String kind) {
        Map<String, Served> versions = schemas.get(group + "/" + kind);
        return versions == null ? Optional.empty() : Optional.of(List.copyOf(versions.keySet()));
    }

    /** Schema, unknown-field and duration problems of an Istio object; KIND when the kind or version is not served. */
    public List<Finding> check(Manifest manifest) {
        List<Finding> findings = new ArrayList<>();
        Map<String, Served> versions = schemas.get(manifest.group() + "/" + manifest.kind());
        if (versions == null) {
            findings.add(Finding.error("KIND", manifest, "kind " + manifest.kind() + " is not served by group "
                    + manifest.group() + " in Istio 1.30"));
            return findings;
        }
        Served served = versions.get(manifest.version());
        if (served == null) {
            findings.add(Finding.error("KIND", manifest, manifest.apiVersion() + " does not serve " + manifest.kind()
                    + " (served: " + String.join(", ", versions.keySet()) + ")"));
            return findings;
        }
        if (manifest.name().isEmpty()) {
            findings.add(Finding.error("SCHEMA", manifest, "metadata.name is required"));
        }
        ObjectNode instance = new ObjectMapper().createObjectNode();
        if (manifest.body().has("spec")) {
            instance.set("spec", manifest.body().get("spec"));
        }
        for (ValidationMessage message : served.compiled().validate(instance)) {
            // what failed inside one alternative of a oneOf/anyOf is the library's detail: the API
            // server reports the oneOf itself
            String within = message.getEvaluationPath().toString();
            if (!within.contains(".oneOf[") && !within.contains(".anyOf[")) {
                findings.add(Finding.error("SCHEMA", manifest, asKubectl(message)));
            }
        }
        List<String> problems = new ArrayList<>();
        walk(served.schema(), instance, "", problems);
        for (String problem : problems) {
            findings.add(Finding.error(problem.startsWith("unknown field") ? "FIELD" : "SCHEMA", manifest, problem));
        }
        return findings;
    }

    /**
     * A schema violation as kubectl prints the API server's (field.ErrorList): the field's path,
     * then {@code Required value}, {@code Unsupported value: "X": supported values: ...} or
     * {@code Invalid value: V: <path> in body must be of type integer: "string"}; never the
     * validator library's own wording.
     */
    static String asKubectl(ValidationMessage message) {
        String location = message.getInstanceLocation().toString().replaceFirst("^\\$\\.?", "");
        JsonNode value = message.getInstanceNode();
        JsonNode keyword = message.getSchemaNode();
        Object[] arguments = message.getArguments() == null ? new Object[0] : message.getArguments();
        String type = message.getType();
        return switch (type) {
            case "required" -> (location.isEmpty() ? "" : location + ".") + message.getProperty() + ": Required value";
            case "type" -> location + ": Invalid value: \"" + jsonType(value) + "\": " + location + " in body must be of type "
                    + (keyword != null && keyword.isTextual() ? keyword.asText() : argument(arguments, 1)) + ": \"" + jsonType(value) + "\"";
            case "enum" -> location + ": Unsupported value: " + render(value) + ": supported values: " + supported(keyword, arguments);
            case "minimum", "exclusiveMinimum" -> location + ": Invalid value: " + render(value) + ": " + location
                    + " in body should be greater than " + (type.equals("minimum") ? "or equal to " : "") + argument(arguments, 0);
            case "maximum", "exclusiveMaximum" -> location + ": Invalid value: " + render(value) + ": " + location
                    + " in body should be less than " + (type.equals("maximum") ? "or equal to " : "") + argument(arguments, 0);
            case "pattern" -> location + ": Invalid value: " + render(value) + ": " + location + " in body should match '"
                    + argument(arguments, 0) + "'";
            case "minLength" -> location + ": Invalid value: " + render(value) + ": " + location + " in body should be at least "
                    + argument(arguments, 0) + " chars long";
            case "maxLength" -> location + ": Too long: may not be more than " + argument(arguments, 0) + " bytes";
            case "minItems" -> location + ": Invalid value: " + value.size() + ": " + location + " in body should have at least "
                    + argument(arguments, 0) + " items";
            case "maxItems" -> location + ": Too many: " + value.size() + ": must have at most " + argument(arguments, 0) + " items";
            case "oneOf" -> location + ": Invalid value: \"" + jsonType(value) + "\": " + location
                    + " in body must validate one and only one schema (oneOf): set exactly one of its alternatives";
            default -> location + ": Invalid value: " + render(value) + ": " + message.getMessage().replaceFirst("^\\$[^:]*: ", "");
        };
    }

    private static String argument(Object[] arguments, int index) {
        return index < arguments.length ? String.valueOf(arguments[index]) : "?";
    }

    private static String jsonType(JsonNode value) {
        if (value == null) {
            return "null";
        }
        return switch (value.getNodeType()) {
            case STRING -> "string";
            case NUMBER -> value.isIntegralNumber() ? "integer" : "number";
            case BOOLEAN -> "boolean";
            case ARRAY -> "array";
            case OBJECT -> "object";
            default -> "null";
        };
    }

    /** A value as the API server quotes it: strings in quotes, numbers and booleans bare, objects by their type. */
    private static String render(JsonNode value) {
        if (value == null) {
            return "null";
        }
        return value.isTextual() ? "\"" + value.asText() + "\"" : value.isValueNode() ? value.asText() : "\"" + jsonType(value) + "\"";
    }

    private static String supported(JsonNode keyword, Object[] arguments) {
        if (keyword != null && keyword.isArray()) {
            List<String> values = new ArrayList<>();
            keyword.forEach(v -> values.add("\"" + v.asText() + "\""));
            return String.join(", ", values);
        }
        return argument(arguments, 0);
    }

    private static void walk(JsonNode schema, JsonNode value, String path, List<String> problems) {
        if (schema == null || schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
            return;
        }
        if (value.isObject()) {
            JsonNode properties = schema.get("properties");
            JsonNode additional = schema.get("additionalProperties");
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                String child = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                if (properties != null && properties.has(field.getKey())) {
                    walk(properties.get(field.getKey()), field.getValue(), child, problems);
                } else if (additional != null && additional.isObject()) {
                    walk(additional, field.getValue(), child, problems);
                } else if (properties != null) {
                    problems.add("unknown field " + child);
                }
            }
        } else if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                walk(schema.get("items"), value.get(i), path + "[" + i + "]", problems);
            }
        } else if (value.isTextual() && isDurationRule(schema)) {
            Long nanos = durationNanos(value.asText());
            if (nanos == null || nanos < 1_000_000L) {
                problems.add(path + ": must be a valid duration greater than 1ms, got '" + value.asText() + "'");
            }
        }
    }

    private static boolean isDurationRule(JsonNode schema) {
        for (JsonNode validation : schema.path("x-kubernetes-validations")) {
            if (validation.path("rule").asText().contains("duration(")) {
                return true;
            }
        }
        return false;
    }

    /** A Go duration (what CEL's duration() parses) in nanoseconds, or null when it is not one. */
    public static Long durationNanos(String text) {
        Matcher matcher = DURATION_PART.matcher(text);
        double total = 0;
        int end = 0;
        while (matcher.find()) {
            if (matcher.start() != end) {
                return null;
            }
            double amount = Double.parseDouble(matcher.group(1));
            total += amount * switch (matcher.group(2)) {
                case "ns" -> 1d;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            end = matcher.end();
        }
        return end == text.length() && end > 0 ? (long) total : null;
    }
}
