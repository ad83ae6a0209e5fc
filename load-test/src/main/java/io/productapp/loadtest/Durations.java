package io.productapp.loadtest;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as siege writes them ({@code 30S}, {@code 2M}, {@code 1H}) and as people do ({@code 500ms}, {@code 1.5s}). */
public final class Durations {

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(us|ms|s|m|h)?");

    private Durations() {
    }

    /** @throws IllegalArgumentException naming {@code what} when the text is not a duration */
    public static Duration parse(String text, String what) {
        Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(what + " '" + text + "' is not a duration: use a number with S, M or H (30S, 2M, 1H) or ms/s");
        }
        double value = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double nanos = value * switch (unit) {
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m" -> 60e9;
            default -> 3600e9;
        };
        if (nanos <= 0) {
            throw new IllegalArgumentException(what + " '" + text + "' must be more than zero");
        }
        return Duration.ofNanos((long) nanos);
    }
}
