package io.productapp.loadtest.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.productapp.loadtest.Merge;
import io.productapp.loadtest.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code ./loadtest merge FILE...}: several load generators' JSON reports as one, checked as one run's. */
@Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false, version = LoadTestCommand.VERSION,
        description = {
                "Merges load generators' JSON reports (--json) into one, exactly.",
                "",
                "For generators run together against one target: latency histograms added (not",
                "percentiles averaged), counts summed, the split and its intervals recomputed,",
                "windows aligned on the wall clock. The checks run on the merged report and set",
                "the exit code as for one run. A file may hold several reports (one per worker,",
                "e.g. kubectl logs of every pod of a Job).",
                "" },
        footer = { "", "Exit codes: as for a run; 2 when a file cannot be read or merged (it is named)." })
final class MergeCommand implements Callable<Integer> {

    private final PrintStream out;
    private final PrintStream err;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "JSON reports of ./loadtest --json (schema productapp-loadtest/1).")
    List<Path> files = new ArrayList<>();

    @Mixin
    ReportOptions reporting = new ReportOptions();

    MergeCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws IOException {
        reporting.validate();
        List<Merge.Part> parts = Merge.read(files, note -> err.println("loadtest: " + note));
        Report merged = Merge.of(parts);
        err.println("loadtest: merged " + parts.size() + " reports from " + files.size() + " file(s)");
        return reporting.conclude(merged, out, err, false);
    }
}
