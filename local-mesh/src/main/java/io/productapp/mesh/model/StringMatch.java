package io.productapp.mesh.model;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Istio's {@code StringMatch}: {@code exact}, {@code prefix} or {@code regex} (RE2, matched against
 * the whole value, as Envoy's {@code safe_regex} does), or, for headers, {@code {}}: present with
 * any value.
 */
public sealed interface StringMatch {

    /** Whether {@code value} matches; {@code ignoreCase} applies to exact and prefix only (Envoy ignores it for regex). */
    boolean matches(String value, boolean ignoreCase);

    record Exact(String value) implements StringMatch {
        @Override
        public boolean matches(String candidate, boolean ignoreCase) {
            return ignoreCase ? value.equalsIgnoreCase(candidate) : value.equals(candidate);
        }

        @Override
        public String toString() {
            return "exact " + value;
        }
    }

    record Prefix(String value) implements StringMatch {
        @Override
        public boolean matches(String candidate, boolean ignoreCase) {
            return ignoreCase ? candidate.toLowerCase(Locale.ROOT).startsWith(value.toLowerCase(Locale.ROOT))
                    : candidate.startsWith(value);
        }

        @Override
        public String toString() {
            return "prefix " + value;
        }
    }

    record Regex(String value, Pattern pattern) implements StringMatch {
        public Regex(String value) {
            this(value, Pattern.compile(value));
        }

        @Override
        public boolean matches(String candidate, boolean ignoreCase) {
            return pattern.matcher(candidate).matches();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Regex regex && regex.value.equals(value);
        }

        @Override
        public int hashCode() {
            return value.hashCode();
        }

        @Override
        public String toString() {
            return "regex " + value;
        }
    }

    /** {@code {}} (or regex {@code *}) on a header: present, whatever its value. */
    record Present() implements StringMatch {
        @Override
        public boolean matches(String candidate, boolean ignoreCase) {
            return candidate != null;
        }

        @Override
        public String toString() {
            return "present";
        }
    }
}
