package io.productapp.loadtest.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.productapp.loadtest.Checks;
import io.productapp.loadtest.Report;

/**
 * {@code --json FILE}: {@code {"schema":"productapp-loadtest/1","exitCode":..,"result":..,
 * "report":{...},"checks":[...]}}. The report's fields are the {@link Report} record's (latencies
 * in milliseconds, and the encoded histograms they come from: {@link io.productapp.loadtest.Histograms});
 * fields are only ever added under the same schema name.
 */
public final class JsonReport {

    public static final String SCHEMA = "productapp-loadtest/1";
    private static final ObjectMapper LINE = new ObjectMapper();
    private static final ObjectMapper MAPPER = LINE.copy().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport() {
    }

    public static Map<String, Object> document(Report report, List<Checks.Result> results, int exitCode) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("schema", SCHEMA);
        document.put("exitCode", exitCode);
        document.put("result", switch (exitCode) {
            case Checks.EXIT_PASS -> "pass";
            case Checks.EXIT_FAILED -> "failed";
            case Checks.EXIT_INCONCLUSIVE -> "inconclusive";
            default -> "run-error";
        });
        document.put("report", report);
        document.put("checks", results);
        return document;
    }

    /** The document on one line, as a worker prints it for {@code kubectl logs}. */
    public static String line(Report report, List<Checks.Result> results, int exitCode) throws IOException {
        return LINE.writeValueAsString(document(report, results, exitCode));
    }

    public static void write(Path file, Report report, List<Checks.Result> results, int exitCode) throws IOException {
        MAPPER.writeValue(file.toFile(), document(report, results, exitCode));
    }
}
