package io.productapp.mesh.cli;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import io.productapp.loadtest.Checks;
import io.productapp.loadtest.LoadPlan;
import io.productapp.loadtest.LoadTest;
import io.productapp.loadtest.Report;
import io.productapp.loadtest.SplitRule;
import io.productapp.loadtest.report.TextReport;
import io.productapp.mesh.admin.AdminServer;
import io.productapp.mesh.analysis.ScenarioValidator;
import io.productapp.mesh.kube.Kubectl;
import io.productapp.mesh.launch.LocalMesh;
import io.productapp.mesh.launch.ServiceProcess;
import io.productapp.mesh.launch.Suite;
import io.productapp.mesh.launch.Suite.SuiteException;
import io.productapp.mesh.launch.Topology;
import io.productapp.mesh.scenario.ScenarioRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./demo} (and {@code ./demo serve}): the local mesh, the chart's workloads behind their
 * sidecars and the ingress gateway with setup-mesh-resources applied, until Ctrl-C; or, with
 * {@code --no-mesh}, the four services wired to each other directly.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, version = Demo.VERSION, header = "The local mesh, serving until Ctrl-C (the default command).", sortOptions = false,
        description = { "The local mesh: the Helm chart's workloads on 127.0.0.1, each calling out through its own sidecar, behind an "
                + "ingress gateway (http://127.0.0.1:8080/), with istio/setup-mesh-resources applied; shows the split of a short load, "
                + "then serves until Ctrl-C. Traffic view (live graph): http://127.0.0.1:15000/; admin API on the same port "
                + "(GET /traffic, /config, /stats, /instances)." })
final class ServeCommand implements Callable<Integer> {

    static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Console console;
    /** The command line before the subcommand ({@code ./demo --port-offset N serve}), or null for {@code ./demo} itself. */
    private final ServeCommand before;

    @Mixin
    MeshOptions options = new MeshOptions();

    @Option(names = "--smoke", description = "Start, check the page and the split through the ingress, stop; exit 0 when it held.")
    boolean smoke;

    /** Seconds of pages through the ingress before ready; null: not written here. */
    private Integer warmUp;

    @Spec
    CommandSpec spec;

    static final int DEFAULT_WARM_UP_SECONDS = 60;
    static final int MAX_WARM_UP_SECONDS = 600;
    /** The warm-up runs at least this long (or --warm-up, if shorter), however level the rate looks. */
    static final Duration MIN_WARM_UP = Duration.ofSeconds(10);
    /** The warm-up's users: as many connections as wrk -c10 or ./loadtest -c 10 open on the page. */
    static final int WARM_UP_USERS = 10;

    @Option(names = "--warm-up", paramLabel = "SECONDS", description = "Before it says ready, load the page (through the ingress; "
            + "with --no-mesh, on frontend) with " + WARM_UP_USERS + " users and no pause until the pages/s stop rising, for at most "
            + "SECONDS: the first page after ready then finds the proxies' and the services' request paths compiled. 0 skips it. "
            + "Default: " + DEFAULT_WARM_UP_SECONDS + ".")
    void warmUp(int seconds) {
        if (seconds < 0 || seconds > MAX_WARM_UP_SECONDS) {
            throw new ParameterException(spec.commandLine(), "--warm-up must be between 0 and " + MAX_WARM_UP_SECONDS
                    + " seconds, got " + seconds);
        }
        warmUp = seconds;
    }

    /** This command's value, else the one written before the command, else the default. */
    int warmUpSeconds() {
        return warmUp != null ? warmUp : before != null && before.warmUp != null ? before.warmUp : DEFAULT_WARM_UP_SECONDS;
    }

    @Option(names = "--no-mesh", description = "The four services wired directly, as without Istio: productcatalog calls catalogdetail v1 "
            + "itself; no sidecars, no ingress; the page at http://127.0.0.1:9000/.")
    boolean noMesh;

    ServeCommand(Console console, ServeCommand before) {
        this.console = console;
        this.before = before;
    }

    MeshOptions meshBefore() {
        return before == null ? null : before.options;
    }

    @Override
    public Integer call() {
        boolean direct = noMesh || before != null && before.noMesh;
        boolean smokeOnly = smoke || before != null && before.smoke;
        return direct ? serveDirect(smokeOnly) : serve(smokeOnly);
    }

    private Integer serve(boolean smokeOnly) {
        Stopper stopper = new Stopper(console, !smokeOnly);
        LocalMesh mesh = MeshStart.start(console, options.ports(meshBefore()), options.seed(meshBefore()), stopper);
        if (mesh == null) {
            return 1;
        }
        AdminServer admin;
        try {
            admin = new AdminServer(mesh, mesh.layout().ports().admin());
            stopper.teardown().add(admin);
        } catch (IOException e) {
            console.err().println("demo: the admin API could not listen on 127.0.0.1:" + mesh.layout().ports().admin() + ": "
                    + e.getMessage() + "; pass --port-offset N");
            stopper.stop();
            return 1;
        }
        try {
            if (!new ScenarioRun(mesh, console.out(), console.err()).apply(
                    console.root().resolve("istio").resolve(ScenarioValidator.BASE_SCENARIO))) {
                stopper.stop();
                return 1;
            }
        } catch (IOException e) {
            console.err().println("demo: " + e.getMessage());
            stopper.stop();
            return 1;
        }
        URI page = mesh.ingress();
        console.out().println();
        MeshStart.describe(mesh, console.out());
        if (!smokeOnly && warmUpSeconds() > 0) {
            warmUp(page, Duration.ofSeconds(warmUpSeconds()));
        }
        console.out().println("demo: a short load through the ingress gateway (the split follows the configuration in force):");
        int split = shortLoad(page);
        if (smokeOnly) {
            stopper.stop();
            console.out().println(split == 0 ? "demo: smoke OK: the page answered through the ingress, split between v1 and v2"
                    : "demo: smoke FAILED: the load test exited " + split);
            return split == 0 ? 0 : 1;
        }
        int offset = mesh.layout().ports().offset();
        console.out().println();
        console.out().println("demo: ready. Open " + page);
        console.out().println("demo: traffic view http://127.0.0.1:" + admin.port() + "/ (the requests between workloads, live;"
                + " its data: GET /traffic)");
        console.out().println("demo: admin API http://127.0.0.1:" + admin.port() + "/config, /stats, /instances; access logs in "
                + mesh.dataPlane().logDirectory());
        console.out().println("demo: in another terminal: ./demo apply istio/weight-based-routing" + portOption(offset)
                + ", then ./loadtest " + page + " -c 10 -t 30S");
        console.out().println("demo: Ctrl-C stops everything.");
        console.out().println();
        console.out().println("demo: pods, as kubectl get pods -o wide shows them (a line here each time one changes):");
        console.out().println("demo:   " + Kubectl.Row.HEADER);
        mesh.kubelet().rows().forEach(row -> console.out().println("demo:   " + row));
        mesh.kubelet().watch(row -> console.out().println("demo: pod " + row));
        stopper.awaitStop();
        return 0;
    }

    /**
     * Pages at full speed until their rate levels off, or {@code limit}: every JVM on the path (the
     * proxies' and the services') compiles its request path under the load a demo gives it, before
     * the first page after ready.
     */
    private void warmUp(URI page, Duration limit) {
        console.out().print("demo: warming up: pages on " + page + " until their rate levels off (at most " + limit.toSeconds()
                + " s; --warm-up 0 skips it) ...");
        console.out().flush();
        LoadPlan plan = closedLoad(page, WARM_UP_USERS, Duration.ZERO, limit);
        LevelledOff level = new LevelledOff(MIN_WARM_UP.compareTo(limit) < 0 ? MIN_WARM_UP : limit);
        long started = System.nanoTime();
        Report report = LoadTest.run(plan, window -> { }, level);
        long seconds = Math.round((System.nanoTime() - started) / 1e9);
        console.out().printf(" %,d pages in %d s, %,d failed; %s%n", report.requests(), seconds, report.errorCount(),
                level.levelRate() > 0 ? String.format("level at %,.0f pages/s", level.levelRate()) : "still rising at the limit");
    }

    /** Four users for 5 s, with random pauses up to 50 ms, expecting about half of the pages from each version. */
    private int shortLoad(URI page) {
        LoadPlan plan = closedLoad(page, 4, Duration.ofMillis(50), Duration.ofSeconds(5));
        Report report = LoadTest.run(plan, window -> { });
        List<Checks.Result> results = new Checks.Expectation(Map.of("v1", 50.0, "v2", 50.0), 20).evaluate(report);
        int exit = Checks.exitCode(report, results);
        console.out().print(TextReport.render(report, results, exit));
        return exit;
    }

    /** {@code users} on {@code page} for {@code length}, each pausing up to {@code pause}: 1-s windows, 30-s request timeout. */
    private static LoadPlan closedLoad(URI page, int users, Duration pause, Duration length) {
        return new LoadPlan(List.of(page), Map.of(), new LoadPlan.Closed(users, pause, 0), length, SplitRule.DEFAULT,
                Duration.ofSeconds(30), Duration.ofSeconds(1), System.nanoTime());
    }

    /** The services wired to each other directly, no proxy between them: what the mesh is compared with. */
    private Integer serveDirect(boolean smokeOnly) {
        Topology.Ports ports = Topology.Ports.DEFAULT.withOffset(options.offset(meshBefore()));
        Stopper stopper = new Stopper(console, true);
        console.out().println("demo: starting the services wired directly (no mesh) on 127.0.0.1 ...");
        Suite suite;
        try {
            suite = Suite.start(Topology.suite(console.root(), ports), console.out()::println, START_TIMEOUT, stopper.teardown());
        } catch (SuiteException | IOException e) {
            if (!stopper.stopping()) {
                console.err().println("demo: could not start the services: " + e.getMessage());
            }
            stopper.stop();
            return 1;
        }
        // The same warm-up as through the mesh: the baseline the mesh is measured against is as warm.
        if (!smokeOnly && warmUpSeconds() > 0) {
            warmUp(URI.create("http://127.0.0.1:" + ports.frontend() + "/"), Duration.ofSeconds(warmUpSeconds()));
        }
        console.out().println("demo: ready. Open http://127.0.0.1:" + ports.frontend() + "/ (productcatalog -> catalogdetail v1 at :"
                + ports.catalogdetailV1() + ", no mesh)");
        return awaitDeath(suite.anyExit(), stopper);
    }

    /** Waits for a service to die on its own: names it, stops the rest, 1; or 0 once stopping was asked. */
    private int awaitDeath(CompletableFuture<ServiceProcess> death, Stopper stopper) {
        try {
            ServiceProcess dead = death.get();
            if (stopper.stopping()) {
                return 0;
            }
            console.err().println("demo: " + dead.spec().name() + " exited with code " + dead.exitCode()
                    + "; stopping the others. Its last lines:\n  " + String.join("\n  ", dead.tail()));
            stopper.stop();
            return 1;
        } catch (InterruptedException | ExecutionException e) {
            stopper.stop();
            return 1;
        }
    }

    static String portOption(int offset) {
        return offset == 0 ? "" : " --port-offset " + offset;
    }
}
