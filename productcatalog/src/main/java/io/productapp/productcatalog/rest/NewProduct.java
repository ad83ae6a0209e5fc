package io.productapp.productcatalog.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The body of {@code POST /products/{id}}. Parsed by hand from the raw body so that each way it
 * can be wrong gets a 400 naming the field, instead of a framework default.
 */
@Schema(name = "Name Model", description = "A product to add")
public record NewProduct(
        @Schema(required = true, description = "Name of the Product", example = "Apple") String name) {

    static NewProduct parse(String body, ObjectMapper mapper, int maxNameLength) {
        if (body == null || body.isBlank()) {
            throw ApiException.badRequest("Request body is required: a JSON object with the field 'name'");
        }
        JsonNode json;
        try {
            json = mapper.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("Request body is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        }
        if (!json.isObject()) {
            throw ApiException.badRequest("Request body must be a JSON object with the field 'name'");
        }
        JsonNode name = json.get("name");
        if (name == null || name.isNull()) {
            throw ApiException.badRequest("Field 'name' is required");
        }
        if (!name.isTextual()) {
            throw ApiException.badRequest("Field 'name' must be a string");
        }
        if (name.asText().isBlank()) {
            throw ApiException.badRequest("Field 'name' must not be blank");
        }
        if (name.asText().length() > maxNameLength) {
            throw ApiException.badRequest("Field 'name' must be at most " + maxNameLength + " characters");
        }
        return new NewProduct(name.asText());
    }
}
