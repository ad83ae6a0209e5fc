package io.productapp.mesh.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.productapp.loadtest.cli.LoadTestCommand;
import io.productapp.mesh.admin.AdminClient;
import io.productapp.mesh.admin.AdminServer;
import io.productapp.mesh.analysis.Check;
import io.productapp.mesh.analysis.ScenarioValidator;
import io.productapp.mesh.launch.Layout;
import io.productapp.mesh.launch.Layout.Instance;
import io.productapp.mesh.launch.LocalMesh;
import io.productapp.mesh.launch.ServiceProcess;
import io.productapp.mesh.launch.Suite;
import io.productapp.mesh.launch.Suite.SuiteException;
import io.productapp.mesh.launch.Topology;
import io.productapp.mesh.scenario.ScenarioRun;

/** {@code ./demo}: arguments and dispatch. */
public final class Demo {

    static final String USAGE = """
            usage: ./demo [--port-offset N] [--seed N] [--smoke] [--no-mesh]
                   ./demo apply FOLDER... [--port-offset N]
                   ./demo run [--port-offset N] [--seed N] SCENARIO_OR_FOLDER [loadtest options...]
                   ./demo check [FOLDER...]

              ./demo          the local mesh: the Helm chart's workloads on 127.0.0.1, each calling out through
                              its own sidecar, behind an ingress gateway (http://127.0.0.1:8080/), with
                              istio/setup-mesh-resources applied; shows the split of a short load, then serves
                              until Ctrl-C. Traffic view (live graph): http://127.0.0.1:15000/; admin API on the
                              same port (GET /traffic, /config, /stats, /instances)
              apply           while ./demo runs: validate folder(s) of Istio manifests and apply them, as
                              kubectl apply -f does; refused with the findings when invalid (nothing changes)
              run             start the mesh, apply setup-mesh-resources then the folder (a name under istio/
                              or any path), run the folder's recipe (demo.run) or ./loadtest with the options
                              given, print the counters per destination, stop; exit code of the load test
              check           validate istio/ scenario folders (default: all) against Istio 1.30.3's schemas,
                              webhook rules and istioctl analyze checks; exit 1 on errors

              --port-offset N  add N to every port (when the defaults are taken)
              --seed N         seed of the proxies' random choices (weights, fault and mirror shares)
              --smoke          start, check the page and the split through the ingress, stop; exit 0 when it held
              --no-mesh        the four services wired directly, as without Istio: productcatalog calls catalogdetail
                               v1 itself; no sidecars, no ingress; the page at http://127.0.0.1:9000/
            """;

    private Demo() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** The options before a command's operands. */
    record Options(int offset, long seed, boolean smoke, boolean noMesh, List<String> operands) {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("check")) {
            return Check.run(List.of(args).subList(1, args.length), root(), out, err);
        }
        String command = args.length > 0 && (args[0].equals("apply") || args[0].equals("run")) ? args[0] : null;
        List<String> rest = List.of(args).subList(command == null ? 0 : 1, args.length);
        Options options;
        try {
            options = options(rest, command);
        } catch (UsageException e) {
            err.println("demo: " + e.getMessage() + "\n" + USAGE);
            return 2;
        } catch (HelpException e) {
            out.print(USAGE);
            return 0;
        }
        if ("apply".equals(command)) {
            return apply(options, out, err);
        }
        if ("run".equals(command)) {
            return runScenario(options, out, err);
        }
        return options.noMesh() ? serveDirect(options, out, err) : serve(options, out, err);
    }

    private static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    private static final class HelpException extends Exception {
    }

    /** Options come before the operands; for run, everything after the folder is the load test's. */
    static Options options(List<String> args, String command) throws UsageException, HelpException {
        int offset = 0;
        long seed = System.nanoTime();
        boolean smoke = false;
        boolean noMesh = false;
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!operands.isEmpty() && "run".equals(command)) {
                operands.add(arg);
                continue;
            }
            switch (arg) {
                case "--smoke" -> {
                    if (command != null) {
                        throw new UsageException("--smoke is for ./demo alone");
                    }
                    smoke = true;
                }
                case "--port-offset" -> {
                    offset = (int) number(args, ++i, "--port-offset");
                    if (offset < 0 || offset > 45_000) {
                        throw new UsageException("--port-offset must be between 0 and 45000, got " + offset);
                    }
                }
                case "--seed" -> seed = number(args, ++i, "--seed");
                case "--no-mesh" -> {
                    if (command != null) {
                        throw new UsageException("--no-mesh is for ./demo alone");
                    }
                    noMesh = true;
                }
                case "-h", "--help" -> throw new HelpException();
                default -> {
                    if (arg.startsWith("-") || command == null) {
                        throw new UsageException("unknown argument '" + arg + "'");
                    }
                    operands.add(arg);
                }
            }
        }
        if (command != null && operands.isEmpty()) {
            throw new UsageException(command + " needs a folder");
        }
        return new Options(offset, seed, smoke, noMesh, operands);
    }

    private static long number(List<String> args, int i, String option) throws UsageException {
        if (i >= args.size()) {
            throw new UsageException(option + " needs a number");
        }
        try {
            return Long.parseLong(args.get(i));
        } catch (NumberFormatException e) {
            throw new UsageException(option + " must be a whole number, got '" + args.get(i) + "'");
        }
    }

    static Path root() {
        return Path.of(System.getProperty("productapp.root", ".")).toAbsolutePath().normalize();
    }

    /** A folder operand: a path, or the name of a folder under istio/. */
    static Path folder(String operand, Path root) {
        Path given = Path.of(operand);
        if (Files.isDirectory(given)) {
            return given.toAbsolutePath().normalize();
        }
        Path scenario = root.resolve("istio").resolve(operand);
        return Files.isDirectory(scenario) ? scenario : given.toAbsolutePath().normalize();
    }

    /** The mesh started, or null when it could not start (and {@code err} says why). */
    private static LocalMesh start(Options options, PrintStream out, PrintStream err) {
        Path root = root();
        Path logs = root.resolve("local-mesh/target/mesh-logs");
        Layout.Ports ports = Layout.Ports.DEFAULT.withOffset(options.offset());
        out.println("demo: starting the local mesh on 127.0.0.1 (seed " + options.seed() + ") ...");
        try {
            return LocalMesh.start(root, new LocalMesh.Options(ports, options.seed(), logs, Duration.ofSeconds(120)), out::println);
        } catch (LocalMesh.MeshException e) {
            err.println("demo: could not start the mesh: " + e.getMessage());
            return null;
        }
    }

    private static void describe(LocalMesh mesh, PrintStream out) {
        for (Instance instance : mesh.instances()) {
            out.printf("demo:   %-18s %-28s zone %-11s :%d, sidecar :%d%n", instance.name(),
                    instance.labels().getOrDefault("app", "") + " " + instance.labels().getOrDefault("version", ""),
                    instance.locality().zone(), instance.port(), instance.sidecarPort());
        }
    }

    // ---- ./demo ---------------------------------------------------------------------------------

    private static int serve(Options options, PrintStream out, PrintStream err) {
        LocalMesh mesh = start(options, out, err);
        if (mesh == null) {
            return 1;
        }
        AdminServer admin;
        try {
            admin = new AdminServer(mesh, mesh.layout().ports().admin());
        } catch (IOException e) {
            mesh.close();
            err.println("demo: the admin API could not listen on 127.0.0.1:" + mesh.layout().ports().admin() + ": " + e.getMessage()
                    + "; pass --port-offset N");
            return 1;
        }
        AtomicBoolean stopping = new AtomicBoolean();
        Runnable stop = () -> {
            if (stopping.compareAndSet(false, true)) {
                out.println("demo: stopping the services");
                admin.close();
                mesh.close();
                out.println("demo: stopped");
            }
        };
        try {
            ScenarioRun setup = new ScenarioRun(mesh, out, err);
            if (!setup.apply(mesh.root().resolve("istio").resolve(ScenarioValidator.BASE_SCENARIO))) {
                stop.run();
                return 1;
            }
        } catch (IOException e) {
            err.println("demo: " + e.getMessage());
            stop.run();
            return 1;
        }
        URI page = mesh.ingress();
        out.println();
        describe(mesh, out);
        out.println("demo: a short load through the ingress gateway (the split follows the configuration in force):");
        int split = LoadTestCommand.execute(new String[] { page.toString(), "-c", "4", "-d", "0.05", "-t", "5S", "-q",
            "--expect", "v1=50,v2=50", "--tolerance", "20" }, out, err);
        if (options.smoke()) {
            stop.run();
            out.println(split == 0 ? "demo: smoke OK: the page answered through the ingress, split between v1 and v2"
                    : "demo: smoke FAILED: the load test exited " + split);
            return split == 0 ? 0 : 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "demo-stop"));
        out.println();
        out.println("demo: ready. Open " + page);
        out.println("demo: traffic view http://127.0.0.1:" + admin.port() + "/ (the requests between workloads, live;"
                + " its data: GET /traffic)");
        out.println("demo: admin API http://127.0.0.1:" + admin.port() + "/config, /stats, /instances; access logs in "
                + mesh.dataPlane().logDirectory());
        out.println("demo: in another terminal: ./demo apply istio/weight-based-routing" + portOption(options)
                + ", then ./loadtest " + page + " -c 10 -t 30S");
        out.println("demo: Ctrl-C stops everything.");
        return awaitDeath(mesh.unexpectedExit(), stopping, stop, err);
    }

    // ---- ./demo --no-mesh -----------------------------------------------------------------------------

    /** The services wired to each other directly, no proxy between them: what the mesh is compared with. */
    private static int serveDirect(Options options, PrintStream out, PrintStream err) {
        Topology.Ports ports = Topology.Ports.DEFAULT.withOffset(options.offset());
        out.println("demo: starting the services wired directly (no mesh) on 127.0.0.1 ...");
        Suite suite;
        try {
            suite = Suite.start(Topology.suite(root(), ports), out::println, Duration.ofSeconds(120));
        } catch (SuiteException | IOException e) {
            err.println("demo: could not start the services: " + e.getMessage());
            return 1;
        }
        AtomicBoolean stopping = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true);
            out.println("demo: stopping the services");
            suite.close();
            out.println("demo: stopped");
        }, "demo-stop"));
        out.println("demo: ready. Open http://127.0.0.1:" + ports.frontend() + "/ (productcatalog -> catalogdetail v1 at :"
                + ports.catalogdetailV1() + ", no mesh)");
        return awaitDeath(suite.anyExit(), stopping, suite::close, err);
    }

    /** Waits for a service to die on its own: names it, stops the rest, 1; or 0 once stopping was asked. */
    private static int awaitDeath(java.util.concurrent.CompletableFuture<ServiceProcess> death, AtomicBoolean stopping, Runnable stop,
            PrintStream err) {
        try {
            ServiceProcess dead = death.get();
            if (stopping.get()) {
                return 0;
            }
            err.println("demo: " + dead.spec().name() + " exited with code " + dead.exitCode()
                    + "; stopping the others. Its last lines:\n  " + String.join("\n  ", dead.tail()));
            stop.run();
            return 1;
        } catch (InterruptedException | ExecutionException e) {
            stop.run();
            return 1;
        }
    }

    private static String portOption(Options options) {
        return options.offset() == 0 ? "" : " --port-offset " + options.offset();
    }

    // ---- ./demo apply -------------------------------------------------------------------------------

    private static int apply(Options options, PrintStream out, PrintStream err) {
        int admin = Layout.Ports.DEFAULT.withOffset(options.offset()).admin();
        AdminClient client = new AdminClient(admin);
        int exit = 0;
        for (String operand : options.operands()) {
            Path folder = folder(operand, root());
            if (!Files.isDirectory(folder)) {
                err.println("demo: no folder '" + operand + "' (neither a path nor istio/" + operand + ")");
                return 2;
            }
            try {
                exit = Math.max(exit, client.apply(folder, out, err));
            } catch (IOException e) {
                err.println("demo: no local mesh answers on 127.0.0.1:" + admin + " (" + e.getMessage()
                        + "); start one with ./demo" + portOption(options) + " first");
                return 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
        return exit;
    }

    // ---- ./demo run ---------------------------------------------------------------------------------

    private static int runScenario(Options options, PrintStream out, PrintStream err) {
        Path folder = folder(options.operands().get(0), root());
        if (!Files.isDirectory(folder)) {
            err.println("demo: no folder '" + options.operands().get(0) + "' (neither a path nor istio/" + options.operands().get(0) + ")");
            return 2;
        }
        List<String> loadOptions = options.operands().subList(1, options.operands().size());
        LocalMesh mesh = start(options, out, err);
        if (mesh == null) {
            return 1;
        }
        try (mesh) {
            describe(mesh, out);
            return new ScenarioRun(mesh, out, err).run(folder, loadOptions);
        } catch (IOException e) {
            err.println("demo: " + e.getMessage());
            return 1;
        }
    }
}
