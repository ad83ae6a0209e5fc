package io.productapp.mesh.config;

import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The webhook's rules for a field wherever it appears (istio/istio pkg/config/validation,
 * validatePercentage and validateStringMatchRegexp).
 */
final class WebhookFields {

    private static final int MAX_REGEX = 1024;
    /** RE2 has no look-around and no back-references; java.util.regex would accept them. */
    private static final Pattern NOT_RE2 = Pattern.compile("\\(\\?<?[=!]|\\\\[1-9]");

    private WebhookFields() {
    }

    static void percentage(Manifest manifest, JsonNode percentage, String at, List<Finding> findings) {
        if (percentage.has("value")) {
            double value = percentage.path("value").asDouble();
            if (value < 0 || value > 100) {
                findings.add(Finding.error("WEBHOOK", manifest, at + ".value must be between 0 and 100, got " + value));
            }
        }
    }

    static void regex(Manifest manifest, JsonNode regex, String at, List<Finding> findings) {
        if (!regex.isTextual()) {
            return;
        }
        String text = regex.asText();
        if (text.length() > MAX_REGEX) {
            findings.add(Finding.error("WEBHOOK", manifest, at + ": longer than " + MAX_REGEX + " characters"));
        } else if (NOT_RE2.matcher(text).find()) {
            findings.add(Finding.error("WEBHOOK", manifest, at + ": '" + text + "' uses look-around or a back-reference, which RE2 does not support"));
        } else {
            try {
                Pattern.compile(text);
            } catch (PatternSyntaxException e) {
                findings.add(Finding.error("WEBHOOK", manifest, at + ": '" + text + "' is not a valid regular expression: " + e.getDescription()));
            }
        }
    }
}
