package io.productapp.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.productapp.loadtest.cli.LoadTestCommand;
import io.productapp.loadtest.report.JsonReport;

/**
 * {@code ./loadtest merge}: workers' reports combined exactly. Seeded samples for the arithmetic,
 * and real load generators (separate processes) against one local server for the whole path.
 */
class MergeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TARGET = "http://127.0.0.1:1/";

    private static CommandLineTest.Run cli(String... args) {
        return CommandLineTest.run(args);
    }

    /**
     * A worker's report from its samples, as a run would write it: {@code samples[w]} are the
     * latencies (µs) of window {@code w}, every fifth answered by v2, the rest by v1.
     */
    private static Report worker(String target, Instant start, long[][] samples) {
        Histogram all = new Histogram(Stats.HIGHEST_MICROS, Stats.DIGITS);
        Map<String, Histogram> byVersion = new TreeMap<>();
        List<Window> windows = new ArrayList<>();
        for (int w = 0; w < samples.length; w++) {
            Histogram window = new Histogram(Stats.HIGHEST_MICROS, Stats.DIGITS);
            Map<String, Long> split = new TreeMap<>();
            for (int i = 0; i < samples[w].length; i++) {
                String version = i % 5 == 0 ? "v2" : "v1";
                window.recordValue(samples[w][i]);
                byVersion.computeIfAbsent(version, v -> new Histogram(Stats.HIGHEST_MICROS, Stats.DIGITS)).recordValue(samples[w][i]);
                split.merge(version, 1L, Long::sum);
            }
            all.add(window);
            windows.add(new Window(w, 1.0, samples[w].length, 0, 0, 0, 0, 0, split, Histograms.encode(window)));
        }
        long n = all.getTotalCount();
        Map<String, Report.Share> shares = new TreeMap<>();
        Map<String, String> encoded = new TreeMap<>();
        byVersion.forEach((version, h) -> {
            shares.put(version, Report.Share.of(h.getTotalCount(), n, 0, h));
            encoded.put(version, Histograms.encode(h));
        });
        return new Report("closed: 2 users", List.of(target), "header:x-catalogdetail-version", samples.length, n, 0, 0, 0, 0,
                Map.of(200, n), Map.of(), Report.Latency.of(all), Report.Latency.of(all), 1, shares, windows, start.toString(),
                new Histograms(Histograms.ENCODING, Histograms.encode(all), Histograms.encode(all), encoded));
    }

    private static long[][] samples(long seed, int windows, int perWindow, long spreadMicros) {
        SplittableRandom random = new SplittableRandom(seed);
        long[][] samples = new long[windows][perWindow];
        for (long[] window : samples) {
            for (int i = 0; i < perWindow; i++) {
                window[i] = 100 + random.nextLong(spreadMicros) + (random.nextInt(100) == 0 ? random.nextLong(200_000) : 0);
            }
        }
        return samples;
    }

    @Test
    void mergedFiguresAreThoseOfOneHistogramOfEverySample() {
        Instant t0 = Instant.parse("2026-12-02T10:00:00Z");
        long[][] a = samples(1, 5, 400, 2_000);
        long[][] b = samples(2, 5, 300, 8_000); // a slower worker
        long[][] c = samples(3, 4, 500, 1_000);
        List<Merge.Part> parts = List.of(new Merge.Part("a", worker(TARGET, t0, a)),
                new Merge.Part("b", worker(TARGET, t0.plusMillis(250), b)), new Merge.Part("c", worker(TARGET, t0.plusMillis(1_100), c)));
        Report merged = Merge.of(parts);

        Histogram everySample = new Histogram(Stats.HIGHEST_MICROS, Stats.DIGITS);
        for (long[][] worker : List.of(a, b, c)) {
            for (long[] window : worker) {
                for (long sample : window) {
                    everySample.recordValue(sample);
                }
            }
        }
        assertThat(merged.requests()).isEqualTo(2000 + 1500 + 2000).isEqualTo(everySample.getTotalCount());
        Report.Latency expected = Report.Latency.of(everySample);
        assertThat(List.of(merged.latency().p50Ms(), merged.latency().p90Ms(), merged.latency().p99Ms(), merged.latency().p999Ms(),
                merged.latency().maxMs(), merged.latency().minMs())).containsExactly(expected.p50Ms(), expected.p90Ms(),
                expected.p99Ms(), expected.p999Ms(), expected.maxMs(), expected.minMs());
        assertThat(merged.latency().maxMs()).as("the max of the maxima")
                .isEqualTo(parts.stream().mapToDouble(p -> p.report().latency().maxMs()).max().orElseThrow());
        // The split from the summed counts: every fifth answer of each window is v2.
        long v2 = 80 * 5 + 60 * 5 + 100 * 4;
        assertThat(merged.split().get("v2").count()).isEqualTo(v2);
        double[] interval = Statistics.wilson(v2, 5500);
        assertThat(merged.split().get("v2").lowPercent()).isEqualTo(100 * interval[0]);
        assertThat(merged.split().get("v2").highPercent()).isEqualTo(100 * interval[1]);
        // Wall clock: from a's start to b's end (0.25 s + 5 s), windows in one-second slots from a's start.
        assertThat(merged.elapsedSeconds()).isEqualTo(5.25);
        assertThat(merged.startTime()).isEqualTo(t0.toString());
        assertThat(merged.windows()).extracting(Window::startSeconds).containsExactly(0.0, 1.0, 2.0, 3.0, 4.0);
        assertThat(merged.windows()).extracting(Window::requests).containsExactly(700L, 1200L, 1200L, 1200L, 1200L);
        assertThat(merged.windows().stream().mapToLong(Window::requests).sum()).isEqualTo(merged.requests());
    }

    private static Path write(Path dir, String name, Report report) throws Exception {
        Path file = dir.resolve(name);
        JsonReport.write(file, report, List.of(), 0);
        return file;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "another target        | targets [http://127.0.0.1:2/] differ from",
            "another schema        | schema 'productapp-loadtest/2', expected productapp-loadtest/1",
            "no histograms         | no 'histograms' (written by an older ./loadtest)",
            "a broken histogram    | field 'histograms.corrected': not an encoded histogram",
            "not JSON              | not a JSON report",
            "empty                 | empty, no report in it",
            "missing               | no such file" })
    void aFileThatCannotBeMergedIsNamedAndNothingIsWritten(String problem, String message, @TempDir Path dir) throws Exception {
        Instant t0 = Instant.parse("2026-12-02T10:00:00Z");
        Path good = write(dir, "good.json", worker(TARGET, t0, samples(1, 2, 10, 1_000)));
        Path bad = dir.resolve("bad.json");
        switch (problem) {
            case "another target" -> write(dir, "bad.json", worker("http://127.0.0.1:2/", t0, samples(2, 2, 10, 1_000)));
            case "another schema", "no histograms", "a broken histogram" -> {
                ObjectNode document = (ObjectNode) JSON.readTree(good.toFile());
                switch (problem) {
                    case "another schema" -> document.put("schema", "productapp-loadtest/2");
                    case "no histograms" -> ((ObjectNode) document.get("report")).remove("histograms");
                    default -> ((ObjectNode) document.get("report").get("histograms")).put("corrected", "bm90IGEgaGlzdG9ncmFt");
                }
                JSON.writeValue(bad.toFile(), document);
            }
            case "not JSON" -> Files.writeString(bad, "Transactions: 10 hits\n");
            case "empty" -> Files.writeString(bad, "");
            default -> { } // missing
        }
        Path merged = dir.resolve("merged.json");
        CommandLineTest.Run run = cli("merge", good.toString(), bad.toString(), "--json", merged.toString());
        assertThat(run.exit()).isEqualTo(Checks.EXIT_USAGE);
        assertThat(run.err().strip()).startsWith("loadtest: " + bad).contains(message).doesNotContain("\n");
        assertThat(merged).doesNotExist();
    }

    @Test
    void severalLoadGeneratorProcessesMergeIntoWhatTheServerSaw(@TempDir Path dir) throws Exception {
        try (VersionServer server = new VersionServer(11, 90, 0)) {
            List<Process> workers = new ArrayList<>();
            List<Path> files = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                Path file = dir.resolve("worker-" + w + ".json");
                files.add(file);
                workers.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", System.getProperty("java.class.path"), LoadTestCommand.class.getName(), server.url(),
                        "-c", "2", "-r", String.valueOf(100 + 50 * w), "-b", "-q", "--json", file.toString())
                        .redirectErrorStream(true).redirectOutput(dir.resolve("worker-" + w + ".log").toFile()).start());
            }
            for (Process worker : workers) {
                assertThat(worker.waitFor(60, TimeUnit.SECONDS)).as("a worker ended within 60 s").isTrue();
                assertThat(worker.exitValue()).isZero();
            }
            // In one file, as kubectl logs of all pods would be, and one file per worker: the same.
            Path all = dir.resolve("all.jsonl");
            for (Path file : files) {
                Files.writeString(all, JSON.writeValueAsString(JSON.readTree(file.toFile())) + "\n",
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            }
            Path merged = dir.resolve("merged.json");
            CommandLineTest.Run run = cli("merge", files.get(0).toString(), files.get(1).toString(), files.get(2).toString(),
                    "--expect", "v1=90,v2=10", "--tolerance", "8", "--json", merged.toString());
            assertThat(run.exit()).as(run.out() + run.err()).isZero();
            assertThat(cli("merge", all.toString(), "--expect", "v1=90,v2=10", "--tolerance", "8").exit()).isZero();
            assertThat(cli("merge", all.toString(), "--expect", "v1=50,v2=50", "--tolerance", "8").exit())
                    .as("the combined traffic is 90/10").isEqualTo(Checks.EXIT_FAILED);

            JsonNode report = JSON.readTree(merged.toFile()).get("report");
            long requests = 0;
            double maxMs = 0;
            Histogram sum = new Histogram(Stats.HIGHEST_MICROS, Stats.DIGITS);
            for (Path file : files) {
                JsonNode part = JSON.readTree(file.toFile()).get("report");
                requests += part.get("requests").asLong();
                maxMs = Math.max(maxMs, part.get("latency").get("maxMs").asDouble());
                sum.add(Histograms.decode(part.get("histograms").get("corrected").asText()));
            }
            assertThat(report.get("requests").asLong()).isEqualTo(requests).isEqualTo(2 * (100 + 150 + 200));
            assertThat(report.get("latency").get("maxMs").asDouble()).isEqualTo(maxMs);
            assertThat(report.get("latency").get("p99Ms").asDouble()).isEqualTo(sum.getValueAtPercentile(99) / 1000.0);
            assertThat(report.get("latency").get("p50Ms").asDouble()).isEqualTo(sum.getValueAtPercentile(50) / 1000.0);
            assertThat(report.get("split").get("v1").get("count").asLong()).as("what the server served as v1")
                    .isEqualTo(server.served.get("1").get());
            assertThat(report.get("split").get("v2").get("count").asLong()).isEqualTo(server.served.get("2").get());
        }
    }

    private static Process workerProcess(Path dir, String name, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LoadTestCommand.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile()).start();
    }

    /** As the chart's Job runs them: each worker K of N prints one JSON line and nothing else; together they run the whole model. */
    @Test
    void workersTakingTheirSharesFromACommonInstantRunExactlyTheWholeModel(@TempDir Path dir) throws Exception {
        try (VersionServer server = new VersionServer(5, 70, 0)) {
            Instant startAt = Instant.now().plusSeconds(5).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            List<Process> workers = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                // open model: 250/s in total for 2 s, every third arrival each: exactly 500 between them
                workers.add(workerProcess(dir, "open-" + w, server.url(), "-q", "--json", "-", "--worker", w + "/3",
                        "--start-at", startAt.toString(), "--rate", "250/s", "--duration", "2s"));
            }
            for (Process worker : workers) {
                assertThat(worker.waitFor(60, TimeUnit.SECONDS)).as("a worker ended within 60 s").isTrue();
            }
            for (int w = 0; w < 3; w++) {
                // closed model: 5 users in total (2, 2 and 1), 20 requests each: exactly 100 between them
                workers.add(workerProcess(dir, "closed-" + w, server.url(), "-q", "--json", "-", "--worker", w + "/3",
                        "-c", "5", "-r", "20", "-b"));
            }
            for (Process worker : workers) {
                assertThat(worker.waitFor(60, TimeUnit.SECONDS)).as("a worker ended within 60 s").isTrue();
                assertThat(worker.exitValue()).isZero();
            }
            Path open = dir.resolve("open.jsonl");
            Path closed = dir.resolve("closed.jsonl");
            for (int w = 0; w < 3; w++) {
                for (String model : List.of("open", "closed")) {
                    assertThat(dir.resolve(model + "-" + w + ".err")).as("-q: nothing on standard error").isEmptyFile();
                    List<String> lines = Files.readAllLines(dir.resolve(model + "-" + w + ".out"));
                    assertThat(lines).as("standard output: one JSON line").singleElement()
                            .satisfies(line -> assertThat(JSON.readTree(line).get("schema").asText()).isEqualTo("productapp-loadtest/1"));
                    Files.writeString(model.equals("open") ? open : closed, lines.get(0) + "\n",
                            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                }
                JsonNode report = JSON.readTree(Files.readString(dir.resolve("open-" + w + ".out"))).get("report");
                assertThat(Instant.parse(report.get("startTime").asText())).as("worker %d waited for the common instant", w)
                        .isAfterOrEqualTo(startAt).isBefore(startAt.plusMillis(500));
                assertThat(report.get("model").asText()).contains("worker " + w + "/3");
                assertThat(report.get("requests").asLong()).isBetween(166L, 167L);
            }
            // kubectl logs mixes in what a pod wrote to standard error: such lines are skipped, and said
            Files.writeString(open, "OpenJDK 64-Bit Server VM warning: a line that is no report\n",
                    java.nio.file.StandardOpenOption.APPEND);
            Path merged = dir.resolve("merged.json");
            CommandLineTest.Run run = cli("merge", open.toString(), "--json", merged.toString());
            assertThat(run.exit()).as(run.out() + run.err()).isZero();
            assertThat(run.err()).contains(open + ":4: not a report, skipped: OpenJDK 64-Bit Server VM warning");
            assertThat(JSON.readTree(merged.toFile()).get("report").get("requests").asLong()).isEqualTo(500);
            Path mergedClosed = dir.resolve("merged-closed.json");
            assertThat(cli("merge", closed.toString(), "--json", mergedClosed.toString()).exit()).isZero();
            assertThat(JSON.readTree(mergedClosed.toFile()).get("report").get("requests").asLong()).isEqualTo(100);
            assertThat(server.served.values().stream().mapToInt(java.util.concurrent.atomic.AtomicInteger::get).sum()).isEqualTo(600);
        }
    }
}
