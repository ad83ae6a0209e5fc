package io.productapp.mesh.scenario;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.productapp.loadtest.cli.LoadTestCommand;
import io.productapp.mesh.config.Sources;
import io.productapp.mesh.kube.Kubectl;
import io.productapp.mesh.config.Finding;
import io.productapp.mesh.config.ManifestReader;
import io.productapp.mesh.analysis.ScenarioValidator;
import io.productapp.mesh.launch.Layout.Instance;
import io.productapp.mesh.launch.LocalMesh;
import io.productapp.mesh.launch.LocalMesh.ApplyResult;
import io.productapp.mesh.launch.LocalMesh.MeshException;
import io.productapp.mesh.model.KubeService;
import io.productapp.mesh.proxy.TrafficStats;
import io.productapp.mesh.scenario.Recipe.RecipeException;

/**
 * {@code ./demo run FOLDER [loadtest options]} on a running mesh: applies {@code setup-mesh-resources},
 * then the folder; runs the folder's {@link Recipe} (or, with options, its steps before the first
 * load and then one load with those options); prints the counters of every destination; returns
 * the exit code of the first load or expectation that failed (0 when all passed).
 */
public final class ScenarioRun {

    /** The load when neither the command line nor a recipe gives one: siege's defaults, shorter. */
    static final List<String> DEFAULT_LOAD = List.of("-c", "5", "-d", "0.2", "-t", "15S");
    /** How long {@code wait ready} waits at most. */
    private static final java.time.Duration READY_WAIT = java.time.Duration.ofMinutes(2);
    /** How long an expectation waits for requests still in a proxy to end. */
    private static final java.time.Duration IDLE_WAIT = java.time.Duration.ofSeconds(10);

    private final LocalMesh mesh;
    private final PrintStream out;
    private final PrintStream err;
    private final TrafficStats stats;
    private Map<TrafficStats.Key, Long> sinceLoad = Map.of();
    private final Map<TrafficStats.Key, Long> atStart;

    public ScenarioRun(LocalMesh mesh, PrintStream out, PrintStream err) {
        this.mesh = mesh;
        this.out = out;
        this.err = err;
        this.stats = mesh.dataPlane().stats();
        this.atStart = counts(stats);
    }

    /** Applies a folder as {@code kubectl apply -f} would; false (with the findings printed) when it was refused. */
    public boolean apply(Path folder) throws IOException {
        ManifestReader.Result read = Sources.readFolder(folder, mesh.root());
        ApplyResult result = mesh.apply(mesh.root().relativize(folder.toAbsolutePath().normalize()).toString(), read);
        result.findings().forEach(f -> (f.level() == Finding.Level.ERROR ? err : out).println("  " + f));
        if (!result.applied()) {
            err.println("demo: " + display(folder) + " refused: " + result.errors() + " errors; the configuration in force is unchanged");
            return false;
        }
        out.println("demo: applied " + display(folder) + ": " + result.manifests().stream()
                .map(m -> m.kind() + " " + m.name()).toList());
        return true;
    }

    private String display(Path folder) {
        return Sources.display(folder, mesh.root());
    }

    /** Runs {@code folder}'s scenario as its recipe says. */
    public int run(Path folder) throws IOException {
        try {
            return run(folder, plan(folder, List.of()));
        } catch (RecipeException | IllegalArgumentException e) {
            err.println("demo: " + e.getMessage());
            return 2;
        }
    }

    /** Runs {@code folder}'s scenario: these steps (from {@link #plan}) after the folder is applied. */
    public int run(Path folder, List<Recipe.Step> steps) throws IOException {
        Path setup = mesh.root().resolve("istio").resolve(ScenarioValidator.BASE_SCENARIO);
        if (!folder.toAbsolutePath().normalize().equals(setup.toAbsolutePath().normalize()) && !apply(setup)) {
            return 1;
        }
        if (!apply(folder)) {
            return 1;
        }
        int exit = 0;
        for (Recipe.Step step : steps) {
            int code = step(step);
            if (code != 0 && exit == 0) {
                exit = code;
            }
        }
        printCounters(counts(stats), atStart);
        out.println("demo: " + (exit == 0 ? "PASS" : "exit " + exit) + " (" + display(folder) + ")");
        return exit;
    }

    /**
     * The recipe's steps, or its steps before the first load and then one load with the options
     * given; every load's options checked by the load generator's rules.
     *
     * @throws IllegalArgumentException when the options given are not the load generator's
     */
    public static List<Recipe.Step> plan(Path folder, List<String> loadOptions) throws IOException, RecipeException {
        Recipe recipe = Recipe.of(folder).orElse(null);
        List<Recipe.Step> steps = new ArrayList<>();
        if (loadOptions.isEmpty()) {
            if (recipe != null) {
                return recipe.steps();
            }
            steps.add(new Recipe.Load(0, DEFAULT_LOAD));
            return steps;
        }
        if (recipe != null) {
            for (Recipe.Step step : recipe.steps()) {
                if (step instanceof Recipe.Load) {
                    break;
                }
                steps.add(step);
            }
        }
        LoadTestCommand.prepare(loadOptions);
        steps.add(new Recipe.Load(0, loadOptions));
        return steps;
    }

    private int step(Recipe.Step step) throws IOException {
        try {
            if (step instanceof Recipe.Load load) {
                return load(load);
            }
            if (step instanceof Recipe.Fault fault) {
                return fault(fault);
            }
            if (step instanceof Recipe.Env env) {
                out.println("demo: set env " + env.env() + " on Deployment " + env.deployment() + " (a rollout)");
                out.println("demo: rolled out " + mesh.setEnv(env.deployment(), env.env()) + "; the old pods are gone");
                return 0;
            }
            if (step instanceof Recipe.Kill kill) {
                return kill(kill);
            }
            if (step instanceof Recipe.AwaitReady ready) {
                long start = System.nanoTime();
                mesh.kubelet().awaitReady(matcher(ready.selector()), READY_WAIT);
                out.printf("demo: %s Ready after %.1f s%n", select(ready.selector()).stream().map(Instance::name).toList(),
                        (System.nanoTime() - start) / 1e9);
                return 0;
            }
            if (step instanceof Recipe.ExpectRestarts restarts) {
                return expectRestarts(restarts);
            }
            if (step instanceof Recipe.Apply apply) {
                return apply(apply.folder()) ? 0 : 1;
            }
            if (step instanceof Recipe.Wait wait) {
                out.println("demo: waiting " + wait.duration().toMillis() + " ms");
                Thread.sleep(wait.duration().toMillis()); // the scenario's own timing (an ejection running out)
                return 0;
            }
            return expect((Recipe.Expect) step);
        } catch (MeshException | IllegalArgumentException | IllegalStateException e) {
            err.println("demo: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private int load(Recipe.Load load) throws IOException {
        LoadTestCommand.Prepared run = LoadTestCommand.prepare(load.options());
        out.println("demo: ./loadtest " + mesh.ingress() + " " + String.join(" ", load.options()));
        sinceLoad = counts(stats);
        return run.run(mesh.ingress(), out, err);
    }

    private int fault(Recipe.Fault fault) throws IOException, InterruptedException {
        List<Instance> selected = select(fault.selector());
        if (selected.isEmpty()) {
            err.println("demo: no instance matches " + fault.selector());
            return 1;
        }
        for (Instance instance : selected) {
            String path = fault.inject() ? "/injectFault" : "/resetFault";
            int status = mesh.call(instance.name(), path).statusCode();
            out.println("demo: GET " + path + " on " + instance.name() + " (" + instance.locality().zone() + "): " + status);
        }
        return 0;
    }

    private int kill(Recipe.Kill kill) throws MeshException, InterruptedException {
        List<Instance> selected = select(kill.selector());
        if (selected.isEmpty()) {
            err.println("demo: no pod matches " + kill.selector());
            return 1;
        }
        for (Instance instance : selected) {
            mesh.kubelet().kill(instance.name());
            out.println("demo: SIGKILL to " + instance.name() + " (" + instance.locality().zone() + ")");
        }
        return 0;
    }

    private int expectRestarts(Recipe.ExpectRestarts expect) {
        List<String> names = select(expect.selector()).stream().map(Instance::name).toList();
        Map<String, Integer> seen = new TreeMap<>();
        for (Kubectl.Row row : mesh.kubelet().rows()) {
            if (names.contains(row.name())) {
                seen.put(row.name(), row.restartCount());
            }
        }
        boolean pass = !seen.isEmpty() && seen.values().stream().allMatch(n -> n == expect.restarts());
        out.printf("demo: expect restarts %d %s: %s %s%n", expect.restarts(), String.join(" ", expect.selector()), seen,
                pass ? "PASS" : "FAIL");
        return pass ? 0 : 1;
    }

    /** Instances by name, Deployment, or conditions (service=, zone=, pod labels). */
    List<Instance> select(List<String> selector) {
        return mesh.instances().stream().filter(matcher(selector)).toList();
    }

    /** Whether an instance meets every condition: a name or Deployment, service=, zone=, or a pod label. */
    java.util.function.Predicate<Instance> matcher(List<String> selector) {
        return instance -> {
            boolean all = true;
            for (String condition : selector) {
                int eq = condition.indexOf('=');
                if (eq < 0) {
                    all &= instance.name().equals(condition) || instance.workload().name().equals(condition);
                    continue;
                }
                String key = condition.substring(0, eq);
                String value = condition.substring(eq + 1);
                all &= switch (key) {
                    case "service" -> mesh.dataPlane().config().services().stream()
                            .filter(s -> s.name().equals(value)).anyMatch((KubeService s) -> s.selects(instance.labels()));
                    case "zone" -> instance.locality().zone().equals(value);
                    default -> value.equals(instance.labels().get(key));
                };
            }
            return all;
        };
    }

    /** How far a share may fall from its expected value when the recipe gives no band: 3.5 standard deviations of the sample. */
    static final double SIGMAS = 3.5;

    private int expect(Recipe.Expect expect) throws InterruptedException {
        // Requests still in a proxy (a delayed one, a mirrored copy) count once they end.
        mesh.dataPlane().awaitIdle(IDLE_WAIT);
        Map<TrafficStats.Key, Long> now = counts(stats);
        Map<String, Long> seen = new TreeMap<>();
        Map<String, Long> requests = new TreeMap<>();
        now.forEach((key, value) -> {
            long delta = value - sinceLoad.getOrDefault(key, 0L);
            if (key.metric().equals(expect.what())) {
                seen.merge(key.proxy(), delta, Long::sum);
            } else if (key.metric().equals("requests")) {
                requests.merge(key.proxy(), delta, Long::sum);
            }
        });
        long count = seen.values().stream().mapToLong(Long::longValue).sum();
        long total = seen.keySet().stream().mapToLong(proxy -> requests.getOrDefault(proxy, 0L)).sum();
        if (expect.atLeastOnce()) {
            boolean pass = count > 0;
            out.printf("demo: expect %s > 0: %d seen (%s) %s%n", expect.what(), count, seen, pass ? "PASS" : "FAIL");
            return pass ? 0 : 1;
        }
        double percent = total == 0 ? 0 : 100.0 * count / total;
        double band = expect.derivedBand() ? band(expect.percent(), total) : expect.tolerance();
        boolean pass = total > 0 && Math.abs(percent - expect.percent()) <= band;
        String how = !expect.derivedBand() ? "" : String.format(" (%.1f σ of %d requests)", SIGMAS, total);
        out.printf("demo: expect %s %s%% ±%.1f%s: %d of %d requests at %s = %.1f%% %s%n", expect.what(), Recipe.number(expect.percent()),
                band, how, count, total, seen.keySet(), percent, pass ? "PASS" : "FAIL");
        return pass ? 0 : 1;
    }

    /** {@value #SIGMAS} standard deviations, in percentage points, of the share of {@code n} independent draws at {@code percent}. */
    static double band(double percent, long n) {
        double p = percent / 100;
        return n == 0 ? 0 : 100 * SIGMAS * Math.sqrt(p * (1 - p) / n);
    }

    private static Map<TrafficStats.Key, Long> counts(TrafficStats stats) {
        Map<TrafficStats.Key, Long> counts = new LinkedHashMap<>();
        stats.snapshot().forEach(c -> counts.put(c.key(), c.value()));
        return counts;
    }

    /** The counters since {@code from}, one row per destination (cluster and endpoint), every proxy summed. */
    void printCounters(Map<TrafficStats.Key, Long> now, Map<TrafficStats.Key, Long> from) {
        Map<String, Map<String, Long>> rows = new TreeMap<>();
        now.forEach((key, value) -> {
            long delta = value - from.getOrDefault(key, 0L);
            if (delta != 0) {
                String destination = shortCluster(key.cluster()) + "  " + key.endpoint();
                rows.computeIfAbsent(destination, d -> new TreeMap<>()).merge(key.metric(), delta, Long::sum);
            }
        });
        out.println();
        out.println("demo: counters of the run, per destination (every proxy summed; requests by the answer that went back,"
                + " tries as the endpoints saw them):");
        out.printf("  %-44s %9s %7s %7s %7s %7s %8s %9s %10s  %s%n", "cluster  endpoint", "requests", "2xx", "4xx", "5xx", "tries",
                "retries", "mirrored", "ejections", "response flags");
        rows.forEach((destination, metrics) -> {
            StringBuilder flags = new StringBuilder();
            metrics.forEach((metric, value) -> {
                if (metric.startsWith("flag ")) {
                    flags.append(metric.substring(5)).append(' ').append(value).append("  ");
                }
            });
            out.printf("  %-44s %9d %7d %7d %7d %7d %8d %9d %10d  %s%n", destination, metrics.getOrDefault("requests", 0L),
                    metrics.getOrDefault("2xx", 0L), metrics.getOrDefault("4xx", 0L), metrics.getOrDefault("5xx", 0L),
                    metrics.getOrDefault("tries", 0L), metrics.getOrDefault("retries", 0L), metrics.getOrDefault("mirrored", 0L),
                    metrics.getOrDefault("ejections", 0L), flags.toString().strip());
        });
        out.println("  (access logs, one line per request in Istio's format: " + mesh.dataPlane().logDirectory() + ")");
    }

    /** {@code outbound|3000|v1|catalogdetail.workshop.svc.cluster.local} → {@code catalogdetail|3000|v1}. */
    static String shortCluster(String cluster) {
        String[] parts = cluster.split("\\|");
        if (parts.length != 4) {
            return cluster;
        }
        String host = parts[3].endsWith(".svc.cluster.local") ? parts[3].substring(0, parts[3].indexOf('.')) : parts[3];
        return host + "|" + parts[1] + "|" + (parts[2].isEmpty() ? "-" : parts[2]);
    }
}
