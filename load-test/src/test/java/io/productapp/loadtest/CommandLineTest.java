package io.productapp.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.productapp.loadtest.cli.LoadTestCommand;

class CommandLineTest {

    record Run(int exit, String out, String err) {
    }

    /**
     * Runs the command; what goes to the process's own standard error (where picocli writes its
     * warnings, bypassing the streams given) is caught and counted as the command's error output.
     */
    static synchronized Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream processErr = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        System.setErr(new PrintStream(processErr, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = LoadTestCommand.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
        } finally {
            System.setErr(originalErr);
        }
        return new Run(exit, out.toString(StandardCharsets.UTF_8),
                processErr.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--help", "-h", "--version", "-V", "--bogus", "http://127.0.0.1:1/", "ht!tp://x -t 1S",
            "http://127.0.0.1:1/ -t 1S --expect v1=90", "http://127.0.0.1:1/ -t 1S --assert errors<<1%",
            "merge --help", "merge", "merge /nonexistent.json", "merge /nonexistent.json --expect v1=200" })
    void noOutputCarriesAWarning(String args) {
        Run run = run(args.split(" "));
        assertThat(run.out() + run.err()).doesNotContainIgnoringCase("warn").doesNotContain("[picocli");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--bogus http://127.0.0.1:1/ -t 1S                      | Unknown option: '--bogus'",
            "ht!tp://x -t 1S                                         | URL 'ht!tp://x' is malformed",
            "ftp://127.0.0.1/ -t 1S                                  | URL 'ftp://127.0.0.1/' is malformed",
            "http://127.0.0.1:1/ -t 2X                               | -t '2X' is not a duration",
            "http://127.0.0.1:1/                                     | say how long",
            "http://127.0.0.1:1/ -t 1S --expect v1=90,v2=20          | shares must total 100",
            "http://127.0.0.1:1/ -t 1S --assert p99<<5ms             | --assert 'p99<<5ms'",
            "http://127.0.0.1:1/ --rate fast --duration 1s           | --rate 'fast'",
            "http://127.0.0.1:1/ --rate 10/s                         | --rate needs --duration",
            "http://127.0.0.1:1/ --ramp 0-10 --duration 1s           | --ramp '0-10'",
            "http://127.0.0.1:1/ --rate 10/s --duration 1s -c 5      | -c, -d, -r and -b are for the closed model",
            "http://127.0.0.1:1/ -t 1S -c 0                          | -c must be at least 1",
            "http://127.0.0.1:1/ -t 1S -H nocolon                    | -H 'nocolon'",
            "http://127.0.0.1:1/ -t 1S --split-by body:/x            | --split-by 'body:/x'",
            "http://127.0.0.1:1/ -t 1S --worker 3/3                  | --worker '3/3': expected K/N with N >= 1 and 0 <= K < N",
            "http://127.0.0.1:1/ -t 1S --worker first                | --worker 'first'",
            "http://127.0.0.1:1/ -t 1S -c 2 --worker 0/3             | 2 users across 3 workers",
            "http://127.0.0.1:1/ -t 1S --start-at tomorrow           | --start-at 'tomorrow'" })
    void badInputIsOneLineNamingItAndExit2(String args, String message) {
        Run run = run(args.split(" "));
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err().strip()).startsWith("loadtest: ").contains(message).doesNotContain("\n").doesNotContain("Exception");
    }

    @Test
    void helpDocumentsTheExitCodes() {
        Run run = run("--help");
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("-c, --concurrent", "--expect", "Exit codes:", "4  inconclusive",
                "the 95%", "'errors<1%'");
    }

    @ParameterizedTest
    @CsvSource({ "30S, 30", "2M, 120", "1H, 3600", "90s, 90", "1.5m, 90" })
    void siegeTimesAreUnderstood(String text, long seconds) {
        assertThat(Durations.parse(text, "-t")).isEqualTo(Duration.ofSeconds(seconds));
    }

    @Test
    void aRunPrintsSiegesSummaryAndWritesJsonAndHtml(@TempDir Path dir) throws Exception {
        try (VersionServer server = new VersionServer(5, 90, 0)) {
            Path json = dir.resolve("r.json");
            Path html = dir.resolve("r.html");
            Run run = run(server.url(), "-c", "2", "-r", "50", "-b", "--expect", "v1=90,v2=10", "--tolerance", "20",
                    "--assert", "errors<1%", "--json", json.toString(), "--html", html.toString());
            assertThat(run.exit()).as(run.out() + run.err()).isZero();
            assertThat(run.out()).contains("Transactions:", "Availability:", "Elapsed time:", "Response time:",
                    "Transaction rate:", "Throughput:", "Concurrency:", "Successful transactions:", "Failed transactions:",
                    "Longest transaction:", "Shortest transaction:", "Split by header:x-catalogdetail-version (100 answers)",
                    "Result: PASS (exit 0)");
            assertThat(Files.readString(json)).contains("\"schema\" : \"productapp-loadtest/1\"", "\"exitCode\" : 0", "\"split\"",
                    "\"startTime\"", "\"encoding\" : \"hdrhistogram-v2-compressed-base64-micros\"");
            String page = Files.readString(html);
            assertThat(page).contains("<svg").doesNotContain("<script").doesNotContain("src=").doesNotContain("<link");
            assertThat(page.split("<svg", -1)).hasSize(5);
        }
    }
}
