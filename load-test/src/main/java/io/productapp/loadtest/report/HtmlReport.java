package io.productapp.loadtest.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import io.productapp.loadtest.Checks;
import io.productapp.loadtest.Report;
import io.productapp.loadtest.Window;

/**
 * {@code --html FILE}: one file, no scripts or links to fetch, that opens offline. Charts are
 * inline SVG: latency over time, throughput, split over time, and the latency distribution.
 */
public final class HtmlReport {

    private static final String[] COLOURS = { "#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2" };
    private static final int W = 720;
    private static final int H = 240;
    private static final int PAD = 48;

    private HtmlReport() {
    }

    public static void write(Path file, Report report, List<Checks.Result> results, int exitCode) throws IOException {
        Files.writeString(file, render(report, results, exitCode), StandardCharsets.UTF_8);
    }

    public static String render(Report r, List<Checks.Result> results, int exitCode) {
        List<Window> windows = r.windows().stream().filter(w -> w.seconds() > 0).toList();
        Map<String, List<double[]>> latency = new LinkedHashMap<>();
        latency.put("p50", points(windows, w -> w.p50Ms()));
        latency.put("p99", points(windows, w -> w.p99Ms()));
        latency.put("max", points(windows, w -> w.maxMs()));
        Map<String, List<double[]>> throughput = Map.of("req/s", points(windows, Window::rate));
        Map<String, List<double[]>> split = new LinkedHashMap<>();
        for (String name : r.split().keySet()) {
            List<double[]> series = new ArrayList<>();
            for (Window w : windows) {
                long total = w.split().values().stream().mapToLong(Long::longValue).sum();
                if (total > 0) {
                    series.add(new double[] { w.startSeconds() + w.seconds(), 100.0 * w.split().getOrDefault(name, 0L) / total });
                }
            }
            split.put(name, series);
        }
        Map<String, List<double[]>> distribution = new LinkedHashMap<>();
        distribution.put("corrected", nines(r.latency()));
        distribution.put("uncorrected", nines(r.uncorrectedLatency()));

        StringBuilder html = new StringBuilder("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>loadtest report</title>
                <style>
                body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1f2937}
                table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d1d5db;padding:.25rem .6rem;text-align:right}
                th{background:#f3f4f6}td:first-child,th:first-child{text-align:left}
                .pass{color:#15803d}.fail{color:#b91c1c}.inconclusive{color:#a16207}
                svg{background:#fff;border:1px solid #e5e7eb;margin:.5rem 0}
                </style></head><body>
                """);
        html.append("<h1>loadtest report</h1>\n<p>").append(esc(String.join(" ", r.targets()))).append("<br>")
                .append(esc(r.model())).append("</p>\n");
        String result = exitCode == Checks.EXIT_PASS ? "pass" : exitCode == Checks.EXIT_INCONCLUSIVE ? "inconclusive" : "fail";
        html.append("<p class=\"").append(result).append("\"><b>Result: ").append(result.toUpperCase())
                .append(" (exit ").append(exitCode).append(")</b></p>\n");
        html.append("<table><tr><th>requests</th><th>elapsed s</th><th>req/s</th><th>errors</th><th>p50 ms</th><th>p90 ms</th>"
                + "<th>p99 ms</th><th>p99.9 ms</th><th>max ms</th></tr><tr>")
                .append(td(r.requests())).append(td(r.elapsedSeconds())).append(td(r.rate())).append(td(r.errorCount()))
                .append(td(r.latency().p50Ms())).append(td(r.latency().p90Ms())).append(td(r.latency().p99Ms()))
                .append(td(r.latency().p999Ms())).append(td(r.latency().maxMs())).append("</tr></table>\n");
        html.append("<h2>Split by ").append(esc(r.splitBy())).append("</h2>\n<table><tr><th>version</th><th>count</th>"
                + "<th>share %</th><th>95% interval</th><th>p50 ms</th><th>p99 ms</th><th>5xx</th></tr>\n");
        r.split().forEach((name, s) -> html.append("<tr><td>").append(esc(name)).append("</td>").append(td(s.count()))
                .append(td(s.percent())).append("<td>").append(String.format("%.1f – %.1f", s.lowPercent(), s.highPercent()))
                .append("</td>").append(td(s.p50Ms())).append(td(s.p99Ms())).append(td(s.errors())).append("</tr>\n"));
        html.append("</table>\n");
        if (!results.isEmpty()) {
            html.append("<h2>Checks</h2>\n<table><tr><th>check</th><th>observed</th><th>verdict</th><th>detail</th></tr>\n");
            for (Checks.Result c : results) {
                String v = c.verdict().name().toLowerCase();
                html.append("<tr><td>").append(esc(c.check())).append("</td><td>").append(esc(c.observed()))
                        .append("</td><td class=\"").append(v).append("\">").append(v).append("</td><td>")
                        .append(esc(c.detail())).append("</td></tr>\n");
            }
            html.append("</table>\n");
        }
        html.append("<h2>Latency over time</h2>\n").append(chart(latency, "s", "ms", false));
        html.append("<h2>Throughput</h2>\n").append(chart(throughput, "s", "req/s", false));
        html.append("<h2>Split over time</h2>\n").append(chart(split, "s", "% of answers", false));
        html.append("<h2>Latency distribution</h2>\n").append(chart(distribution, "percentile", "ms", true));
        html.append("<p><small>Status codes: ").append(esc(r.statuses().toString())).append("; errors: ")
                .append(esc(r.errors().toString())).append("</small></p>\n</body></html>\n");
        return html.toString();
    }

    private static List<double[]> points(List<Window> windows, ToDoubleFunction<Window> metric) {
        List<double[]> points = new ArrayList<>();
        for (Window w : windows) {
            points.add(new double[] { w.startSeconds() + w.seconds(), metric.applyAsDouble(w) });
        }
        return points;
    }

    /** Percentile curve with x = log10(1/(1-p)): 0 at p0, 1 at p90, 2 at p99, 3 at p99.9. */
    private static List<double[]> nines(Report.Latency latency) {
        List<double[]> points = new ArrayList<>();
        for (double[] point : latency.distribution()) {
            if (point[0] < 100) {
                points.add(new double[] { Math.log10(100 / (100 - point[0])), point[1] });
            }
        }
        return points;
    }

    /** A line chart of named series as inline SVG, with axis extremes labelled. */
    static String chart(Map<String, List<double[]>> series, String xLabel, String yLabel, boolean ninesAxis) {
        double minX = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        double maxY = 0;
        for (List<double[]> points : series.values()) {
            for (double[] p : points) {
                minX = Math.min(minX, p[0]);
                maxX = Math.max(maxX, p[0]);
                maxY = Math.max(maxY, p[1]);
            }
        }
        if (minX == Double.MAX_VALUE) {
            return "<p>(no data)</p>\n";
        }
        if (maxX == minX) {
            maxX = minX + 1;
        }
        maxY = maxY <= 0 ? 1 : maxY * 1.1;
        StringBuilder svg = new StringBuilder(String.format(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">%n", W, H, W, H));
        svg.append(String.format("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#9ca3af\"/>%n", PAD, H - PAD, W - 10, H - PAD));
        svg.append(String.format("<line x1=\"%d\" y1=\"10\" x2=\"%d\" y2=\"%d\" stroke=\"#9ca3af\"/>%n", PAD, PAD, H - PAD));
        svg.append(text(PAD - 4, 16, "end", fmt(maxY)));
        svg.append(text(PAD - 4, H - PAD, "end", "0"));
        svg.append(text(PAD, H - PAD + 16, "middle", ninesAxis ? nine(minX) : fmt(minX)));
        svg.append(text(W - 10, H - PAD + 16, "end", ninesAxis ? nine(maxX) : fmt(maxX)));
        svg.append(text(W / 2, H - 8, "middle", xLabel));
        svg.append(String.format("<text x=\"12\" y=\"%d\" font-size=\"11\" transform=\"rotate(-90 12 %d)\" text-anchor=\"middle\">%s</text>%n",
                H / 2, H / 2, esc(yLabel)));
        int colour = 0;
        int legendX = PAD + 10;
        for (Map.Entry<String, List<double[]>> entry : series.entrySet()) {
            String c = COLOURS[colour++ % COLOURS.length];
            StringBuilder pts = new StringBuilder();
            for (double[] p : entry.getValue()) {
                double x = PAD + (p[0] - minX) / (maxX - minX) * (W - 10 - PAD);
                double y = (H - PAD) - p[1] / maxY * (H - PAD - 10);
                pts.append(String.format("%.1f,%.1f ", x, y));
            }
            svg.append(String.format("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"%s\"/>%n", c, pts.toString().trim()));
            svg.append(String.format("<rect x=\"%d\" y=\"14\" width=\"10\" height=\"10\" fill=\"%s\"/>%n", legendX, c));
            svg.append(text(legendX + 14, 23, "start", entry.getKey()));
            legendX += 20 + 8 * entry.getKey().length() + 10;
        }
        return svg.append("</svg>\n").toString();
    }

    private static String nine(double x) {
        return "p" + fmt(100 - 100 / Math.pow(10, x));
    }

    private static String text(int x, int y, String anchor, String value) {
        return String.format("<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"%s\">%s</text>%n", x, y, anchor, esc(value));
    }

    private static String fmt(double v) {
        return Math.abs(v) >= 100 ? String.format("%.0f", v) : String.format("%.2f", v);
    }

    private static String td(double v) {
        return "<td>" + (v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.format("%.3f", v)) + "</td>";
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
