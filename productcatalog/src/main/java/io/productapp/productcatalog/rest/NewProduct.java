package io.productapp.productcatalog.rest;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of {@code POST /products/{id}}, bound by Jackson and checked by Bean Validation; each
 * message names the field, and {@link ApiErrorMappers} answers it as a 400.
 */
@Schema(name = "Name Model", description = "A product to add")
public record NewProduct(
        @Schema(required = true, description = "Name of the Product", example = "Apple", maxLength = NewProduct.MAX_NAME_LENGTH)
        @NotNull(message = "Field 'name' is required")
        // (?U): blank by Unicode's White_Space, so a name of only no-break or ideographic spaces is blank too
        @Pattern(regexp = "(?sU).*\\S.*", message = "Field 'name' must not be blank")
        @Size(max = NewProduct.MAX_NAME_LENGTH, message = "Field 'name' must be at most {max} characters")
        String name) {

    /** Longest product name accepted, in characters (the page's form says the same). */
    public static final int MAX_NAME_LENGTH = 256;
}
