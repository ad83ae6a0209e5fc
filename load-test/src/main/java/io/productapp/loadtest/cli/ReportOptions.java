package io.productapp.loadtest.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import io.productapp.loadtest.Checks;
import io.productapp.loadtest.Report;
import io.productapp.loadtest.report.HtmlReport;
import io.productapp.loadtest.report.JsonReport;
import io.productapp.loadtest.report.TextReport;
import picocli.CommandLine.Option;

/**
 * What every report gets, from a run or merged from several: the checks ({@code --expect},
 * {@code --assert}) that set the exit code, the text summary, and the files asked for.
 */
final class ReportOptions {

    @Option(names = "--expect", paramLabel = "v1=90,v2=10", description = "Expected split in percent; checked against the 95%% interval of the observed split.")
    String expect;

    @Option(names = "--tolerance", paramLabel = "POINTS", defaultValue = "5", description = "Allowed distance from --expect, in percentage points (default ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--assert", paramLabel = "EXPR", description = "Assertion, repeatable: 'p99<500ms', 'p50<=20ms', 'mean<100ms', 'max<2s', 'errors<1%%', 'errors<=0', 'rps>100'.")
    List<String> assertions = new ArrayList<>();

    @Option(names = "--json", paramLabel = "FILE", description = "Write the report as JSON (schema productapp-loadtest/1); '-': on one line on standard output, instead of the text report (which goes to standard error unless -q).")
    Path json;

    @Option(names = "--html", paramLabel = "FILE", description = "Write a self-contained HTML report with charts.")
    Path html;

    private Checks.Expectation expectation;
    private List<Checks.Assertion> parsedAssertions = List.of();

    /** Parses the checks, so that a bad one is a usage error before anything runs; call before {@link #conclude}. */
    void validate() {
        expectation = expect == null ? null : Checks.Expectation.parse(expect, tolerance);
        parsedAssertions = assertions.stream().map(Checks.Assertion::parse).toList();
    }

    /** Whether the JSON report goes to standard output ({@code --json -}), where it is then the only output. */
    boolean jsonToStdout() {
        return json != null && json.toString().equals("-");
    }

    /**
     * Checks the report, prints its summary (to {@code out}; to {@code err} when the JSON report
     * takes standard output, and then not at all when {@code quiet}), writes the files asked for;
     * returns the exit code of the checks.
     */
    int conclude(Report report, PrintStream out, PrintStream err, boolean quiet) throws IOException {
        List<Checks.Result> results = new ArrayList<>();
        if (expectation != null) {
            results.addAll(expectation.evaluate(report));
        }
        parsedAssertions.forEach(a -> results.add(a.evaluate(report)));
        int exit = Checks.exitCode(report, results);
        String text = TextReport.render(report, results, exit);
        if (jsonToStdout()) {
            if (!quiet) {
                err.print(text);
            }
            out.println(JsonReport.line(report, results, exit));
            out.flush();
        } else {
            out.print(text);
        }
        if (json != null && !jsonToStdout()) {
            JsonReport.write(json, report, results, exit);
            err.println("loadtest: JSON report written to " + json);
        }
        if (html != null) {
            HtmlReport.write(html, report, results, exit);
            err.println("loadtest: HTML report written to " + html);
        }
        if (exit == Checks.EXIT_RUN_ERROR && !(quiet && jsonToStdout())) { // the JSON line says it then
            err.println("loadtest: nothing answered: " + report.requests() + " requests, " + report.transportErrors()
                    + " failed (" + report.errors().entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                            .collect(Collectors.joining(", ")) + ")");
        }
        return exit;
    }
}
