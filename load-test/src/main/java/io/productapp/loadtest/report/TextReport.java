package io.productapp.loadtest.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.productapp.loadtest.Checks;
import io.productapp.loadtest.Report;
import io.productapp.loadtest.Window;

/**
 * The terminal summary: siege's figures first (with full precision: milliseconds to the
 * microsecond, not siege's two decimals of seconds), then percentiles, status codes, errors, the
 * split with its intervals and over time, and the checks.
 */
public final class TextReport {

    /** Windows are grouped for the "split over time" table so it stays short. */
    private static final int ROWS = 12;

    private TextReport() {
    }

    public static String render(Report r, List<Checks.Result> results, int exitCode) {
        StringBuilder out = new StringBuilder();
        long failed = r.transportErrors() + r.statuses().entrySet().stream().filter(e -> e.getKey() >= 400)
                .mapToLong(Map.Entry::getValue).sum();
        double mb = r.bytes() / 1e6;
        line(out, "Target", String.join(" ", r.targets()));
        line(out, "Model", r.model());
        line(out, "Transactions", r.requests() + " hits");
        line(out, "Availability", String.format("%.2f %%", r.requests() == 0 ? 0 : 100.0 * r.answered() / r.requests()));
        line(out, "Elapsed time", String.format("%.3f secs", r.elapsedSeconds()));
        line(out, "Data transferred", String.format("%.3f MB", mb));
        line(out, "Response time", String.format("%.3f ms", r.latency().meanMs()));
        line(out, "Transaction rate", String.format("%.3f trans/sec", r.rate()));
        line(out, "Throughput", String.format("%.3f MB/sec", mb / r.elapsedSeconds()));
        line(out, "Concurrency", String.format("%.3f", r.concurrency()));
        line(out, "Successful transactions", String.valueOf(r.requests() - failed));
        line(out, "Failed transactions", String.valueOf(failed));
        line(out, "Longest transaction", String.format("%.3f ms", r.latency().maxMs()));
        line(out, "Shortest transaction", String.format("%.3f ms", r.latency().minMs()));
        out.append('\n');
        out.append(String.format("%-34s %9s %9s %9s %9s %9s%n", "Latency (ms)", "p50", "p90", "p99", "p99.9", "max"));
        latency(out, "from scheduled send (corrected)", r.latency());
        latency(out, "from actual send (uncorrected)", r.uncorrectedLatency());
        if (r.model().startsWith("open")) {
            line(out, "Sends behind schedule (>5 ms)", String.valueOf(r.behindSchedule()));
        }
        line(out, "Status codes", r.statuses().isEmpty() ? "none"
                : r.statuses().entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", ")));
        line(out, "Errors", r.errors().isEmpty() ? "none"
                : r.errors().entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", ")));
        out.append('\n');

        long n = r.split().values().stream().mapToLong(Report.Share::count).sum();
        out.append("Split by ").append(r.splitBy()).append(" (").append(n).append(" answers)\n");
        out.append(String.format("  %-10s %8s %8s %16s %9s %9s %7s%n", "version", "count", "share", "95% interval", "p50 ms", "p99 ms", "5xx"));
        r.split().forEach((name, s) -> out.append(String.format("  %-10s %8d %7.1f%% %16s %9.3f %9.3f %7d%n", name, s.count(),
                s.percent(), String.format("[%.1f, %.1f]", s.lowPercent(), s.highPercent()), s.p50Ms(), s.p99Ms(), s.errors())));
        splitOverTime(out, r);

        if (!results.isEmpty()) {
            out.append("\nChecks\n");
            for (Checks.Result result : results) {
                out.append(String.format("  %-22s %-30s %-12s %s%n", result.check(), result.observed(),
                        result.verdict().name().toLowerCase(), result.detail()));
            }
        }
        out.append("\nResult: ").append(switch (exitCode) {
            case Checks.EXIT_PASS -> "PASS";
            case Checks.EXIT_FAILED -> "FAILED";
            case Checks.EXIT_INCONCLUSIVE -> "INCONCLUSIVE";
            default -> "RUN ERROR (nothing answered)";
        }).append(" (exit ").append(exitCode).append(")\n");
        return out.toString();
    }

    private static void splitOverTime(StringBuilder out, Report r) {
        List<Window> windows = r.windows().stream().filter(w -> w.requests() > 0).toList();
        if (windows.size() < 2 || r.split().size() < 2) {
            return;
        }
        int group = (int) Math.ceil(windows.size() / (double) ROWS);
        out.append("Split over time\n");
        List<String> names = new ArrayList<>(r.split().keySet());
        for (int i = 0; i < windows.size(); i += group) {
            List<Window> rows = windows.subList(i, Math.min(windows.size(), i + group));
            long total = rows.stream().mapToLong(w -> w.split().values().stream().mapToLong(Long::longValue).sum()).sum();
            StringBuilder row = new StringBuilder(String.format("  %6.1f-%6.1f s", rows.get(0).startSeconds(),
                    rows.get(rows.size() - 1).startSeconds() + rows.get(rows.size() - 1).seconds()));
            for (String name : names) {
                long count = rows.stream().mapToLong(w -> w.split().getOrDefault(name, 0L)).sum();
                row.append(String.format("  %s %5.1f%%", name, total == 0 ? 0 : 100.0 * count / total));
            }
            out.append(row).append('\n');
        }
    }

    private static void latency(StringBuilder out, String label, Report.Latency l) {
        out.append(String.format("%-34s %9.3f %9.3f %9.3f %9.3f %9.3f%n", label, l.p50Ms(), l.p90Ms(), l.p99Ms(), l.p999Ms(), l.maxMs()));
    }

    private static void line(StringBuilder out, String label, String value) {
        out.append(String.format("%-32s%s%n", label + ":", value));
    }
}
