package io.productapp.loadtest;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * How a response says which version answered: a header, a JSON pointer into the body, or the
 * first group of a regex over the body. A bare number N is named {@code vN}, so catalogdetail's
 * {@code "version":"2"} and the page's {@code x-catalogdetail-version: 2} count as {@code v2}.
 */
public sealed interface SplitRule {

    String UNKNOWN = "unknown";
    SplitRule DEFAULT = new Header("x-catalogdetail-version");

    /** The bucket of a response; {@link #UNKNOWN} when it does not say. */
    String bucket(String headerValue, byte[] body);

    /** Whether the body is needed (headers-only rules let the engine skip keeping it). */
    boolean needsBody();

    String describe();

    static SplitRule parse(String spec) {
        int colon = spec.indexOf(':');
        String kind = colon < 0 ? spec : spec.substring(0, colon);
        String arg = colon < 0 ? "" : spec.substring(colon + 1);
        if (arg.isEmpty()) {
            throw new IllegalArgumentException("--split-by '" + spec + "': expected header:NAME, json:/pointer or regex:PATTERN");
        }
        return switch (kind) {
            case "header" -> new Header(arg.toLowerCase(Locale.ROOT));
            case "json" -> {
                if (!arg.startsWith("/")) {
                    throw new IllegalArgumentException("--split-by '" + spec + "': a JSON pointer starts with /, e.g. json:/details/version");
                }
                yield new Json(JsonPointer.compile(arg));
            }
            case "regex" -> {
                try {
                    Pattern pattern = Pattern.compile(arg);
                    if (pattern.matcher("").groupCount() < 1) {
                        throw new IllegalArgumentException("--split-by '" + spec + "': the regex needs a group, e.g. regex:\"version\":\"(\\d+)\"");
                    }
                    yield new Regex(pattern);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("--split-by '" + spec + "': invalid regex: " + e.getDescription());
                }
            }
            default -> throw new IllegalArgumentException("--split-by '" + spec + "': unknown kind '" + kind
                    + "'; expected header:NAME, json:/pointer or regex:PATTERN");
        };
    }

    /** {@code 2} → {@code v2}; other values as they are; blank → unknown. */
    static String name(String value) {
        String v = value == null ? "" : value.strip();
        if (v.isEmpty()) {
            return UNKNOWN;
        }
        for (int i = 0; i < v.length(); i++) {
            if (!Character.isDigit(v.charAt(i))) {
                return v;
            }
        }
        return "v" + v;
    }

    record Header(String name) implements SplitRule {
        @Override
        public String bucket(String headerValue, byte[] body) {
            return SplitRule.name(headerValue);
        }

        @Override
        public boolean needsBody() {
            return false;
        }

        @Override
        public String describe() {
            return "header:" + name;
        }
    }

    record Json(JsonPointer pointer) implements SplitRule {
        private static final ObjectMapper MAPPER = new ObjectMapper();

        @Override
        public String bucket(String headerValue, byte[] body) {
            try {
                JsonNode node = MAPPER.readTree(body).at(pointer);
                return node.isValueNode() ? SplitRule.name(node.asText()) : UNKNOWN;
            } catch (Exception e) {
                return UNKNOWN;
            }
        }

        @Override
        public boolean needsBody() {
            return true;
        }

        @Override
        public String describe() {
            return "json:" + pointer;
        }
    }

    record Regex(Pattern pattern) implements SplitRule {
        @Override
        public String bucket(String headerValue, byte[] body) {
            Matcher matcher = pattern.matcher(new String(body, java.nio.charset.StandardCharsets.UTF_8));
            return matcher.find() ? SplitRule.name(matcher.group(1)) : UNKNOWN;
        }

        @Override
        public boolean needsBody() {
            return true;
        }

        @Override
        public String describe() {
            return "regex:" + pattern.pattern();
        }
    }
}
