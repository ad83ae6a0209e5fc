package io.productapp.loadtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expectations on the split ({@code --expect v1=90,v2=10 --tolerance 5}) and assertions on
 * latency, errors and rate ({@code --assert 'p99<500ms'}), and the exit code they give.
 */
public final class Checks {

    public enum Verdict { PASS, FAIL, INCONCLUSIVE }

    /** One checked statement, with what was observed. */
    public record Result(String check, String observed, Verdict verdict, String detail) {
    }

    public static final int EXIT_PASS = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_RUN_ERROR = 3;
    public static final int EXIT_INCONCLUSIVE = 4;

    private Checks() {
    }

    // ---- expectations --------------------------------------------------------------------------

    /** Expected shares in percent, by bucket name ({@code 2} and {@code v2} are the same bucket). */
    public record Expectation(Map<String, Double> shares, double tolerance) {

        public static Expectation parse(String spec, double tolerance) {
            if (tolerance <= 0 || tolerance >= 100) {
                throw new IllegalArgumentException("--tolerance must be between 0 and 100 percentage points, got " + tolerance);
            }
            Map<String, Double> shares = new LinkedHashMap<>();
            for (String part : spec.split(",")) {
                String[] kv = part.split("=", 2);
                if (kv.length != 2 || kv[0].isBlank()) {
                    throw new IllegalArgumentException("--expect '" + spec + "': expected NAME=PERCENT,... e.g. v1=90,v2=10");
                }
                double share;
                try {
                    share = Double.parseDouble(kv[1].strip().replace("%", ""));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--expect '" + spec + "': '" + kv[1] + "' is not a percentage");
                }
                if (share < 0 || share > 100) {
                    throw new IllegalArgumentException("--expect '" + spec + "': " + kv[0] + " share must be between 0 and 100");
                }
                if (shares.put(SplitRule.name(kv[0]), share) != null) {
                    throw new IllegalArgumentException("--expect '" + spec + "': " + kv[0] + " is given twice");
                }
            }
            double total = shares.values().stream().mapToDouble(Double::doubleValue).sum();
            if (Math.abs(total - 100) > 0.5) {
                throw new IllegalArgumentException("--expect '" + spec + "': shares must total 100, got " + total);
            }
            return new Expectation(shares, tolerance);
        }

        /**
         * Per bucket (expected ones, and observed ones expected at 0): pass when the 95% interval
         * of the observed share lies inside expected ± tolerance, fail when it lies outside, and
         * inconclusive when it straddles the band (too few samples to say).
         */
        public List<Result> evaluate(Report report) {
            long n = report.split().values().stream().mapToLong(Report.Share::count).sum();
            Map<String, Double> all = new LinkedHashMap<>(shares);
            report.split().keySet().forEach(bucket -> all.putIfAbsent(bucket, 0.0));
            List<Result> results = new ArrayList<>();
            all.forEach((bucket, expected) -> {
                Report.Share share = report.split().get(bucket);
                long count = share == null ? 0 : share.count();
                double observed = n == 0 ? 0 : 100.0 * count / n;
                double[] ci = Statistics.wilson(count, n);
                double low = 100 * ci[0];
                double high = 100 * ci[1];
                double min = expected - tolerance;
                double max = expected + tolerance;
                Verdict verdict = low >= min && high <= max ? Verdict.PASS
                        : high < min || low > max ? Verdict.FAIL : Verdict.INCONCLUSIVE;
                String detail = switch (verdict) {
                    case PASS -> "within " + fmt(expected) + " ± " + fmt(tolerance);
                    case FAIL -> "outside " + fmt(expected) + " ± " + fmt(tolerance);
                    case INCONCLUSIVE -> "the 95% interval is wider than the band " + fmt(min) + "-" + fmt(max)
                            + "; about " + samplesNeeded(expected, tolerance, observed) + " answers would decide";
                };
                results.add(new Result(bucket + "=" + fmt(expected) + "%",
                        String.format("%.1f%% [%.1f, %.1f] of %d", observed, low, high, n), verdict, detail));
            });
            return results;
        }

        private static long samplesNeeded(double expected, double tolerance, double observed) {
            double margin = Math.max(0.5, tolerance - Math.abs(observed - expected)) / 100;
            double p = Math.max(0.01, Math.min(0.99, observed / 100));
            return (long) Math.ceil(Statistics.Z95 * Statistics.Z95 * p * (1 - p) / (margin * margin));
        }
    }

    // ---- assertions ------------------------------------------------------------------------------

    private static final Pattern ASSERTION = Pattern.compile(
            "\\s*(p\\d{1,2}(?:\\.\\d+)?|mean|max|min|errors|rps|requests)\\s*(<=|>=|<|>)\\s*([0-9.]+\\s*[a-z%]*)\\s*");

    public record Assertion(String text, String metric, String operator, double limit, boolean percent) {

        public static Assertion parse(String text) {
            Matcher m = ASSERTION.matcher(text.toLowerCase());
            if (!m.matches()) {
                throw new IllegalArgumentException("--assert '" + text + "': expected METRIC OP VALUE with METRIC one of "
                        + "p50, p99, p99.9, mean, max, min (a duration: 500ms, 2s), errors (1% or a count), rps, requests");
            }
            String metric = m.group(1);
            String value = m.group(3).strip();
            boolean latency = metric.startsWith("p") || metric.equals("mean") || metric.equals("max") || metric.equals("min");
            if (latency) {
                if (metric.startsWith("p") && Double.parseDouble(metric.substring(1)) >= 100) {
                    throw new IllegalArgumentException("--assert '" + text + "': percentile must be below 100");
                }
                Duration d = Durations.parse(value.matches("[0-9.]+") ? value + "ms" : value, "--assert '" + text + "': value");
                return new Assertion(text, metric, m.group(2), d.toNanos() / 1e6, false);
            }
            boolean percent = value.endsWith("%");
            try {
                return new Assertion(text, metric, m.group(2), Double.parseDouble(value.replace("%", "")), percent);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--assert '" + text + "': '" + value + "' is not a number");
            }
        }

        public Result evaluate(Report report) {
            double observed;
            String unit;
            if (metric.startsWith("p")) {
                double percentile = Double.parseDouble(metric.substring(1));
                observed = percentile(report.latency(), percentile);
                unit = " ms";
            } else {
                switch (metric) {
                    case "mean" -> observed = report.latency().meanMs();
                    case "max" -> observed = report.latency().maxMs();
                    case "min" -> observed = report.latency().minMs();
                    case "errors" -> observed = percent ? report.errorPercent() : report.errorCount();
                    case "rps" -> observed = report.rate();
                    default -> observed = report.requests();
                }
                unit = metric.equals("mean") || metric.equals("max") || metric.equals("min") ? " ms"
                        : metric.equals("errors") && percent ? "%" : "";
            }
            boolean ok = switch (operator) {
                case "<" -> observed < limit;
                case "<=" -> observed <= limit;
                case ">" -> observed > limit;
                default -> observed >= limit;
            };
            return new Result(text, String.format("%.3f%s", observed, unit), ok ? Verdict.PASS : Verdict.FAIL, "");
        }

        private static double percentile(Report.Latency latency, double percentile) {
            return switch (String.valueOf(percentile)) {
                case "50.0" -> latency.p50Ms();
                case "90.0" -> latency.p90Ms();
                case "99.0" -> latency.p99Ms();
                case "99.9" -> latency.p999Ms();
                default -> latency.distribution().stream().filter(point -> point[0] >= percentile)
                        .mapToDouble(point -> point[1]).findFirst().orElse(latency.maxMs());
            };
        }
    }

    /** The exit code of a run: 3 nothing answered, else 1 any failure, 4 any inconclusive, 0 pass. */
    public static int exitCode(Report report, List<Result> results) {
        if (report.requests() == 0 || report.answered() == 0) {
            return EXIT_RUN_ERROR;
        }
        if (results.stream().anyMatch(r -> r.verdict() == Verdict.FAIL)) {
            return EXIT_FAILED;
        }
        if (results.stream().anyMatch(r -> r.verdict() == Verdict.INCONCLUSIVE)) {
            return EXIT_INCONCLUSIVE;
        }
        return EXIT_PASS;
    }

    static String fmt(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.format("%.1f", value);
    }
}
