package io.productapp.frontend.rest;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.Charset;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import io.productapp.frontend.client.ProductCatalogClient.ProductCatalogRejectedException;

/**
 * An {@code application/x-www-form-urlencoded} body, read strictly. Quarkus' own form reading
 * ({@code @RestForm}) answers a malformed percent-escape ({@code name=Ap%1ple}) with a 500 or
 * not at all, takes bytes that are not text in the body's charset (UTF-8 unless its Content-Type
 * names another) as U+FFFD, keeps one value of a field given twice, and reads no fields at all
 * when the Content-Type is written in capitals; here the first three are a 400 naming the field,
 * and the case of the Content-Type does not matter.
 */
final class FormFields {

    private FormFields() {
    }

    /**
     * The body's fields by name; fields with an empty name, as {@code &&} leaves, are skipped.
     * Each of {@code single} may be given once; another field given twice keeps its first value.
     */
    static Map<String, String> parse(byte[] body, Charset charset, Set<String> single) {
        Map<String, String> fields = new HashMap<>();
        int start = 0;
        for (int i = 0; i <= body.length; i++) {
            if (i == body.length || body[i] == '&') {
                int equals = start;
                while (equals < i && body[equals] != '=') {
                    equals++;
                }
                String name = decode(body, start, equals, charset, null);
                String value = decode(body, Math.min(equals + 1, i), i, charset, name);
                if (!name.isEmpty() && fields.putIfAbsent(name, value) != null && single.contains(name)) {
                    throw refused("Form field '" + name + "' must be given once");
                }
                start = i + 1;
            }
        }
        return fields;
    }

    /** Bytes {@code from} to {@code to}, '+' as a space and %XX as a byte, in {@code charset}; {@code field} names a value. */
    private static String decode(byte[] body, int from, int to, Charset charset, String field) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            if (body[i] == '%') {
                int high = i + 2 < to ? Character.digit(body[i + 1], 16) : -1;
                int low = i + 2 < to ? Character.digit(body[i + 2], 16) : -1;
                if (high < 0 || low < 0) {
                    throw refused(where(field) + " has a '%' that starts no percent-escape (two hex digits)");
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else {
                bytes.write(body[i] == '+' ? ' ' : body[i]);
            }
        }
        try {
            return charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw refused(where(field) + " is not " + charset.name());
        }
    }

    private static String where(String field) {
        return field == null ? "A form field's name" : "Form field '" + field + "'";
    }

    private static ProductCatalogRejectedException refused(String message) {
        return new ProductCatalogRejectedException(400, message);
    }
}
