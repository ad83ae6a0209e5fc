package io.productapp.loadtest.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.productapp.loadtest.Checks;
import io.productapp.loadtest.Durations;
import io.productapp.loadtest.LoadPlan;
import io.productapp.loadtest.LoadTest;
import io.productapp.loadtest.RateProfile;
import io.productapp.loadtest.Report;
import io.productapp.loadtest.SplitRule;
import io.productapp.loadtest.Window;
import io.productapp.loadtest.report.HtmlReport;
import io.productapp.loadtest.report.JsonReport;
import io.productapp.loadtest.report.TextReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "loadtest", mixinStandardHelpOptions = true, sortOptions = false, version = LoadTestCommand.VERSION,
        description = {
                "Loads a URL like siege, and measures and checks how the traffic split across versions.",
                "",
                "siege's closed model:  ./loadtest http://$ISTIO_INGRESS_URL -c 5 -d 10 -t 2M",
                "open model:            ./loadtest URL --rate 200/s --duration 60s",
                "                       ./loadtest URL --ramp 0-500/s:30s --rate 500/s \\",
                "                           --duration 60s",
                "check a split:         ./loadtest URL -b -c 10 -t 30S --expect v1=90,v2=10",
                "merge workers' files:  ./loadtest merge w0.json w1.json --expect v1=90,v2=10",
                "" },
        footer = { "", "Exit codes:",
                "  0  every expectation and assertion passed",
                "  1  an expectation or assertion failed",
                "  2  usage error (bad URL, flag, duration, expectation or assertion)",
                "  3  run error: nothing answered (e.g. connection refused); partial results are printed",
                "  4  inconclusive: too few answers to decide an expectation" })
public final class LoadTestCommand implements Callable<Integer> {

    static final String VERSION = "loadtest 1.0";

    @Parameters(arity = "0..1", paramLabel = "URL", description = "Target URL (http or https). Or -f FILE.")
    String url;

    @Option(names = { "-c", "--concurrent" }, paramLabel = "N", description = "Closed model: concurrent users (siege -c). Default 10.")
    Integer users;

    @Option(names = { "-d", "--delay" }, paramLabel = "SECONDS", description = "Closed model: each user pauses a random 0..SECONDS between requests (siege -d). Default 1.")
    Double delay;

    @Option(names = { "-t", "--time" }, paramLabel = "TIME", description = "How long: NUM with S, M or H (30S, 2M, 1H), or ms/s (siege -t).")
    String time;

    @Option(names = { "-r", "--reps" }, paramLabel = "N", description = "Closed model: requests per user, then stop (siege -r).")
    Long reps;

    @Option(names = { "-b", "--benchmark" }, description = "Closed model: no delay between requests (siege -b).")
    boolean benchmark;

    @Option(names = { "-H", "--header" }, paramLabel = "'Name: value'", description = "Request header; repeatable (siege -H).")
    List<String> headers = new ArrayList<>();

    @Option(names = { "-f", "--file" }, paramLabel = "FILE", description = "URLs, one per line, used in turn (siege -f). # comments.")
    Path file;

    @Option(names = "--rate", paramLabel = "N/s", description = "Open model: constant arrival rate (requests per second), for --duration.")
    String rate;

    @Option(names = "--ramp", paramLabel = "A-B/s:TIME", description = "Open model: linear ramp from A to B requests/s over TIME; repeatable, run in order before --rate.")
    List<String> ramps = new ArrayList<>();

    @Option(names = "--duration", paramLabel = "TIME", description = "Same as -t.")
    String duration;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "256", description = "Open model: connection pool size (default ${DEFAULT-VALUE}); sends beyond it queue, and the wait counts in latency.")
    int maxConnections;

    @Option(names = "--split-by", paramLabel = "RULE", defaultValue = "header:x-catalogdetail-version",
            description = "Which version answered: header:NAME, json:/pointer or regex:PATTERN-with-group (default ${DEFAULT-VALUE}).")
    String splitBy;

    @Mixin
    ReportOptions reporting = new ReportOptions();

    @Option(names = "--window", paramLabel = "TIME", defaultValue = "1s", description = "Length of a reporting window (progress line, charts) (default ${DEFAULT-VALUE}).")
    String window;

    @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "30s", description = "Per-request timeout (default ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--warmup", paramLabel = "TIME", description = "Run this long first without measuring (JIT, connections, caches); added before -t/--duration.")
    String warmup;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the random delays (default: from the clock).")
    Long seed;

    @Option(names = "--worker", paramLabel = "K/N", description = "Run as worker K (0-based) of N processes loading together: this one takes its share of -c users, or every N-th arrival of --rate/--ramp (give the totals).")
    String worker;

    @Option(names = "--start-at", paramLabel = "INSTANT", description = "Wait until this UTC instant (2026-12-02T15:04:05Z) before sending, so that workers started apart send together.")
    String startAt;

    @Option(names = { "-q", "--quiet" }, description = "No progress line (shown only on a terminal anyway); with --json -, nothing but the JSON line.")
    boolean quiet;

    private PrintStream out = System.out;
    private PrintStream err = System.err;

    public static void main(String[] args) {
        // Vert.x and Netty log through java.util.logging to standard error; what they would say is
        // counted in the report, and a worker's standard error is part of its kubectl logs.
        java.util.logging.LogManager.getLogManager().reset();
        System.exit(execute(args, System.out, System.err));
    }

    /** Runs the command as the CLI does; returns the exit code. */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        LoadTestCommand command = new LoadTestCommand();
        command.out = out;
        command.err = err;
        CommandLine cli = new CommandLine(command);
        cli.addSubcommand("merge", new MergeCommand(out, err)); // before the handlers below, which reach it then
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("loadtest: " + e.getMessage().lines().findFirst().orElse("") + " (see --help)");
            return Checks.EXIT_USAGE;
        });
        cli.setExecutionExceptionHandler((e, c, parsed) -> {
            if (e instanceof IllegalArgumentException) {
                err.println("loadtest: " + e.getMessage());
                return Checks.EXIT_USAGE;
            }
            err.println("loadtest: " + e.getMessage());
            return Checks.EXIT_RUN_ERROR;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() throws IOException {
        LoadPlan plan = plan();
        reporting.validate();
        boolean live = !quiet && stderrIsTerminal();
        if (!quiet) {
            err.println("loadtest: " + plan.targets().get(0) + (plan.targets().size() > 1 ? " (+" + (plan.targets().size() - 1) + " more)" : "")
                    + ", split by " + plan.split().describe()
                    + (plan.worker().count() > 1 ? ", worker " + plan.worker() : "")
                    + (plan.startAt() != null ? ", from " + plan.startAt() : ""));
        }
        Report report = LoadTest.run(plan, w -> {
            if (live) {
                err.print("\r" + progress(w));
            }
        });
        if (live) {
            err.println();
        }
        return reporting.conclude(report, out, err, quiet);
    }

    /**
     * The plan these arguments ask for, as a run builds it, without running it: how the Helm
     * chart's Job arguments are checked against this CLI. A usage error throws
     * IllegalArgumentException naming what is wrong.
     */
    public static LoadPlan planOf(String... args) throws IOException {
        LoadTestCommand command = parsed(args);
        command.reporting.validate();
        return command.plan();
    }

    /** The command these arguments make; a usage error is an IllegalArgumentException naming what is wrong. */
    private static LoadTestCommand parsed(String... args) {
        LoadTestCommand command = new LoadTestCommand();
        try {
            new CommandLine(command).parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage().lines().findFirst().orElse(""), e);
        }
        return command;
    }

    /**
     * A run that {@code options} describe without a target (no URL, no {@code -f}): parsed and
     * checked by this command's rules now, so a usage error shows before anything starts, and run
     * later against the target its caller chooses (the local mesh's ingress, say).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Prepared prepare(List<String> options) throws IOException {
        LoadTestCommand command = parsed(options.toArray(String[]::new));
        if (command.url != null || command.file != null) {
            throw new IllegalArgumentException("the options name a target (" + (command.url != null ? command.url : "-f " + command.file)
                    + "); the target is given apart");
        }
        command.reporting.validate();
        command.url = "http://127.0.0.1/";
        command.plan(); // every check a run makes, now
        command.url = null;
        return new Prepared(command);
    }

    /** A load test checked by {@link #prepare}, to run against a target. */
    public static final class Prepared {
        private final LoadTestCommand command;

        private Prepared(LoadTestCommand command) {
            this.command = command;
        }

        /** Runs against {@code target}, printing as the command does; returns its exit code. */
        public int run(URI target, PrintStream out, PrintStream err) {
            command.url = target.toString();
            command.out = out;
            command.err = err;
            try {
                return command.call();
            } catch (IllegalArgumentException e) {
                err.println("loadtest: " + e.getMessage());
                return Checks.EXIT_USAGE;
            } catch (IOException | RuntimeException e) {
                err.println("loadtest: " + e.getMessage());
                return Checks.EXIT_RUN_ERROR;
            }
        }
    }

    /** Whether stderr (where the progress line goes) is a terminal, even when stdout is redirected. */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }

    static String progress(Window w) {
        long total = w.split().values().stream().mapToLong(Long::longValue).sum();
        String split = w.split().entrySet().stream()
                .map(e -> String.format("%s %.0f%%", e.getKey(), 100.0 * e.getValue() / Math.max(1, total)))
                .collect(Collectors.joining(" "));
        return String.format("[%6.1fs] %8.1f req/s  in flight %4d  p50 %8.3f ms  p99 %8.3f ms  errors %d  %s   ",
                w.startSeconds() + w.seconds(), w.rate(), w.inFlight(), w.p50Ms(), w.p99Ms(), w.errors(), split);
    }

    LoadPlan plan() throws IOException {
        List<URI> targets = new ArrayList<>();
        if (url != null) {
            targets.add(parseUrl(url, "URL"));
        }
        if (file != null) {
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("-f '" + file + "': cannot read the file");
            }
            for (String line : Files.readAllLines(file)) {
                String l = line.strip();
                if (!l.isEmpty() && !l.startsWith("#")) {
                    targets.add(parseUrl(l.split("\\s+")[0], "URL in " + file));
                }
            }
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("a URL is required (or -f FILE)");
        }
        Map<String, String> headerMap = new LinkedHashMap<>();
        for (String header : headers) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("-H '" + header + "': expected 'Name: value'");
            }
            headerMap.put(header.substring(0, colon).strip(), header.substring(colon + 1).strip());
        }
        if (time != null && duration != null) {
            throw new IllegalArgumentException("give -t or --duration, not both");
        }
        Duration length = time != null ? Durations.parse(time, "-t") : duration != null ? Durations.parse(duration, "--duration") : null;
        boolean open = rate != null || !ramps.isEmpty();
        LoadPlan.Model model;
        if (open) {
            if (users != null || delay != null || reps != null || benchmark) {
                throw new IllegalArgumentException("-c, -d, -r and -b are for the closed model; with --rate/--ramp use --max-connections");
            }
            List<RateProfile.Stage> stages = new ArrayList<>();
            for (String ramp : ramps) {
                stages.add(parseRamp(ramp));
            }
            if (rate != null) {
                if (length == null) {
                    throw new IllegalArgumentException("--rate needs --duration (or -t)");
                }
                double r = parseRate(rate, "--rate");
                stages.add(new RateProfile.Stage(r, r, length));
            } else if (length != null) {
                throw new IllegalArgumentException("--duration with --ramp alone: give --rate to hold a rate after the ramps");
            }
            if (maxConnections < 1) {
                throw new IllegalArgumentException("--max-connections must be at least 1, got " + maxConnections);
            }
            RateProfile profile = RateProfile.of(stages);
            model = new LoadPlan.Open(profile, maxConnections);
            length = profile.length();
        } else {
            int u = users == null ? 10 : users;
            if (u < 1) {
                throw new IllegalArgumentException("-c must be at least 1, got " + u);
            }
            double d = benchmark ? 0 : delay == null ? 1 : delay;
            if (d < 0) {
                throw new IllegalArgumentException("-d must not be negative, got " + d);
            }
            if (reps != null && reps < 1) {
                throw new IllegalArgumentException("-r must be at least 1, got " + reps);
            }
            if (length == null && reps == null) {
                throw new IllegalArgumentException("say how long: -t TIME (30S, 2M, 1H) or -r N");
            }
            model = new LoadPlan.Closed(u, Duration.ofMillis((long) (d * 1000)), reps == null ? 0 : reps);
        }
        Duration warm = warmup == null ? Duration.ZERO : Durations.parse(warmup, "--warmup");
        if (!warm.isZero() && open) {
            model = new LoadPlan.Open(warmedUp(((LoadPlan.Open) model).profile(), warm), maxConnections);
        }
        return new LoadPlan(targets, headerMap, model, length == null ? null : length.plus(warm), SplitRule.parse(splitBy),
                Durations.parse(timeout, "--timeout"), Durations.parse(window, "--window"),
                seed == null ? System.nanoTime() : seed, warm, parseWorker(worker), parseInstant(startAt));
    }

    /** The warm-up of an open model runs at the profile's starting rate. */
    private static RateProfile warmedUp(RateProfile profile, Duration warmup) {
        double rate = Math.max(1, profile.stages().get(0).startRate());
        List<RateProfile.Stage> stages = new ArrayList<>();
        stages.add(new RateProfile.Stage(rate, rate, warmup));
        stages.addAll(profile.stages());
        return RateProfile.of(stages);
    }

    static URI parseUrl(String text, String what) {
        try {
            URI uri = new URI(text.contains("://") ? text : "http://" + text);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException(what + " '" + text + "' is malformed: expected http://host[:port]/path");
            }
            return uri.getPath() == null || uri.getPath().isEmpty() ? uri.resolve("/") : uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(what + " '" + text + "' is malformed: " + e.getReason());
        }
    }

    private static final Pattern WORKER = Pattern.compile("([0-9]+)/([0-9]+)");

    static LoadPlan.Worker parseWorker(String text) {
        if (text == null) {
            return LoadPlan.Worker.ALONE;
        }
        Matcher m = WORKER.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("--worker '" + text + "': expected K/N, worker K (0-based) of N, e.g. 0/3");
        }
        try {
            return new LoadPlan.Worker(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--worker '" + text + "': too large");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--worker '" + text + "': expected K/N with N >= 1 and 0 <= K < N");
        }
    }

    static Instant parseInstant(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--start-at '" + text + "': expected a UTC instant, e.g. 2026-12-02T15:04:05Z");
        }
    }

    private static final Pattern RATE = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(?:/s)?");
    private static final Pattern RAMP = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)-([0-9]+(?:\\.[0-9]+)?)(?:/s)?:(.+)");

    static double parseRate(String text, String what) {
        Matcher m = RATE.matcher(text.strip());
        if (!m.matches() || Double.parseDouble(m.group(1)) <= 0) {
            throw new IllegalArgumentException(what + " '" + text + "': expected requests per second, e.g. 200/s");
        }
        return Double.parseDouble(m.group(1));
    }

    static RateProfile.Stage parseRamp(String text) {
        Matcher m = RAMP.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("--ramp '" + text + "': expected FROM-TO/s:TIME, e.g. 0-500/s:30s");
        }
        return new RateProfile.Stage(Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
                Durations.parse(m.group(3), "--ramp '" + text + "' time"));
    }
}
