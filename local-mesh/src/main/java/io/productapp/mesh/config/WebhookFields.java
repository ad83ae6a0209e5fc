package io.productapp.mesh.config;

import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The webhook's rules for a field wherever it appears (istio/istio pkg/config/validation,
 * validatePercentage, validateStringMatchRegexp and validateGatewayNames), and the name rule they
 * share (a DNS-1123 label).
 */
final class WebhookFields {

    private static final int MAX_REGEX = 1024;
    private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final int MAX_LABEL = 63;
    private static final int MAX_DOMAIN = 255;
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

    /** Kubernetes' DNS-1123 label: at most 63 lower-case letters, digits and '-', a letter or digit at each end. */
    static boolean isDns1123Label(String text) {
        return text.length() <= MAX_LABEL && DNS1123_LABEL.matcher(text).matches();
    }

    /**
     * The gateways a VirtualService or one of its matches binds to ({@code at} is the list's path),
     * as Istio's validateGatewayNames checks them: {@code namespace/name}, both DNS-1123 labels; a
     * name without namespace a domain name of such labels ({@code mesh}), a dotted one a warning
     * (the legacy {@code name.namespace} form). As Istio's, the check ends at the first name
     * without namespace.
     */
    static void gatewayNames(Manifest manifest, JsonNode names, String at, List<Finding> findings) {
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i).asText();
            String item = at + "[" + i + "]: ";
            int slash = name.indexOf('/');
            if (slash < 0) {
                if (name.contains(".")) {
                    String[] parts = name.split("\\.", -1);
                    findings.add(Finding.warning("WEBHOOK", manifest, item + "using legacy gatewayName format \"" + name
                            + "\"; prefer the <namespace>/<name> format: \"" + parts[1] + "/" + parts[0] + "\""));
                }
                String problem = domainProblem(name);
                if (problem != null) {
                    findings.add(Finding.error("WEBHOOK", manifest, item + problem));
                }
                return;
            }
            String namespace = name.substring(0, slash);
            String gateway = name.substring(slash + 1);
            if (namespace.isEmpty() || gateway.isEmpty()) {
                findings.add(Finding.error("WEBHOOK", manifest, item + "config namespace and gateway name cannot be empty"));
            }
            if (!isDns1123Label(namespace)) {
                findings.add(Finding.error("WEBHOOK", manifest, item + "invalid value for namespace: \"" + namespace + "\" (a DNS-1123 label)"));
            }
            if (!isDns1123Label(gateway)) {
                findings.add(Finding.error("WEBHOOK", manifest, item + "invalid value for gateway name: \"" + gateway + "\" (a DNS-1123 label)"));
            }
        }
    }

    /** What is wrong with a domain name as Istio's ValidateFQDN reads it, or null: DNS-1123 labels, the last one not all digits, or empty (a trailing dot). */
    private static String domainProblem(String domain) {
        if (domain.isEmpty()) {
            return "empty domain name not allowed";
        }
        if (domain.length() > MAX_DOMAIN) {
            return "domain name \"" + domain + "\" too long (max " + MAX_DOMAIN + ")";
        }
        String[] labels = domain.split("\\.", -1);
        if (labels[labels.length - 1].matches("[0-9]+")) {
            return "domain name \"" + domain + "\" invalid (top level domain \"" + labels[labels.length - 1] + "\" cannot be all-numeric)";
        }
        for (int i = 0; i < labels.length; i++) {
            if (!(i == labels.length - 1 && labels[i].isEmpty()) && !isDns1123Label(labels[i])) {
                return "domain name \"" + domain + "\" invalid (label \"" + labels[i] + "\" invalid)";
            }
        }
        return null;
    }
}
