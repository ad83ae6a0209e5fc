package io.productapp.mesh.launch;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import io.productapp.mesh.config.Sources;
import io.productapp.mesh.config.CrdSchemas;
import io.productapp.mesh.config.Finding;
import io.productapp.mesh.config.Manifest;
import io.productapp.mesh.config.ManifestReader;
import io.productapp.mesh.analysis.ScenarioValidator;
import io.productapp.mesh.launch.Layout.Instance;
import io.productapp.mesh.launch.Suite.SuiteException;
import io.productapp.mesh.model.MeshConfig;
import io.productapp.mesh.proxy.DataPlane;
import io.productapp.mesh.proxy.DataPlane.ProxyStartException;
import io.productapp.mesh.proxy.Proxy;
import io.productapp.mesh.route.Locality;

/**
 * The local mesh, running: the chart's workloads as processes on 127.0.0.1, each calling out
 * through its own sidecar, an ingress gateway in front, and the configuration in force, which
 * {@link #apply} changes as {@code kubectl apply -f} would once it has passed validation.
 */
public final class LocalMesh implements AutoCloseable {

    /** The ingress gateway's pod labels, as Istio's gateway chart installs it (the chart's Gateway selects them). */
    public static final Map<String, String> INGRESS_LABELS = ScenarioValidator.INGRESS_GATEWAY_POD;
    public static final String INGRESS_NAMESPACE = "istio-ingress";
    /** The Gateway server port the ingress plays (the chart's Gateway listens on 80). */
    public static final int GATEWAY_PORT = 80;

    /**
     * How to start.
     *
     * @param ports the loopback ports
     * @param seed seeds the proxies' random choices
     * @param logDirectory where the proxies' access logs go
     * @param startTimeout how long the services may take to be ready
     */
    public record Options(Layout.Ports ports, long seed, Path logDirectory, Duration startTimeout) {
    }

    /**
     * What an apply did: the findings, and whether the configuration changed; {@code label} names
     * what was applied (the folder), {@code epochMillis} when.
     */
    public record ApplyResult(String label, long epochMillis, boolean applied, List<Manifest> manifests, List<Finding> findings) {
        public long errors() {
            return findings.stream().filter(f -> f.level() == Finding.Level.ERROR).count();
        }
    }

    private final Path root;
    private final Teardown teardown;
    private final Layout layout;
    private final DataPlane plane;
    private final Suite suite;
    private final ScenarioValidator validator;
    private final Consumer<String> output;
    private final Duration startTimeout;
    private final List<String> jvm;
    /** Changed under this object's lock; read through {@link #instances}, a copy made at each change. */
    private final Map<String, Instance> running = new LinkedHashMap<>();
    private volatile List<Instance> instances;
    private final Set<String> faulted = ConcurrentHashMap.newKeySet();
    /** For {@link #call}: one client, its connections and threads kept, not one per call. */
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private volatile ApplyResult lastApply;

    private LocalMesh(Path root, Teardown teardown, Layout layout, DataPlane plane, Suite suite, ScenarioValidator validator,
            Consumer<String> output, Duration startTimeout, List<String> jvm) {
        this.root = root;
        this.teardown = teardown;
        this.layout = layout;
        this.plane = plane;
        this.suite = suite;
        this.validator = validator;
        this.output = output;
        this.startTimeout = startTimeout;
        this.jvm = jvm;
        layout.instances().forEach(i -> running.put(i.name(), i));
        instances = List.copyOf(running.values());
    }

    /** Renders the chart, starts the proxies, then the services; returns once every service is ready. */
    public static LocalMesh start(Path root, Options options, Consumer<String> output) throws MeshException {
        return start(root, options, output, new Teardown());
    }

    /**
     * As {@link #start(Path, Options, Consumer)}, adding what it starts to {@code teardown} as it
     * goes: running {@code teardown} at any moment, start-up included, stops all of it. Closing
     * the mesh runs it.
     */
    public static LocalMesh start(Path root, Options options, Consumer<String> output, Teardown teardown) throws MeshException {
        ManifestReader.Result chart;
        try {
            chart = Sources.renderChartInChild(root.resolve("helm/productapp"), Map.of(), child -> teardown.add(child::destroyForcibly));
        } catch (IOException e) {
            throw new MeshException(e.getMessage(), e);
        }
        if (!chart.findings().isEmpty()) {
            throw new MeshException("the chart does not render: " + chart.findings());
        }
        MeshConfig config = MeshConfig.of(chart.manifests());
        Layout layout = Layout.of(config, root, options.ports());
        ScenarioValidator validator = new ScenarioValidator(CrdSchemas.load(), chart.manifests(), List.of());
        DataPlane plane = new DataPlane(config, options.logDirectory(), options.seed(), 2);
        teardown.add(plane);
        try {
            plane.start(new Proxy.Identity("istio-ingressgateway", Proxy.Kind.INGRESS, INGRESS_NAMESPACE, INGRESS_LABELS,
                    new Locality(Layout.REGION, Layout.ZONES.get(0), ""), GATEWAY_PORT), options.ports().ingress());
            for (Instance instance : layout.instances()) {
                plane.start(new Proxy.Identity(instance.name(), Proxy.Kind.SIDECAR, instance.workload().origin().namespace(),
                        instance.labels(), instance.locality(), 0), instance.sidecarPort());
            }
        } catch (ProxyStartException e) {
            teardown.run();
            throw new MeshException(e.getMessage() + ": stop whatever holds the port, or pass --port-offset N", e);
        }
        List<String> jvm;
        try {
            jvm = Topology.jvmOptions(root);
        } catch (IOException e) {
            teardown.run();
            throw new MeshException("cannot read " + Topology.JVM_OPTIONS_FILE + ": " + e.getMessage(), e);
        }
        Suite suite;
        try {
            suite = Suite.start(layout.instances().stream().map(i -> spec(i, jvm)).toList(), output, options.startTimeout(), teardown);
        } catch (SuiteException e) {
            teardown.run();
            throw new MeshException(e.getMessage(), e);
        }
        plane.endpoints(layout.endpoints());
        return new LocalMesh(root, teardown, layout, plane, suite, validator, output, options.startTimeout(), jvm);
    }

    private static ServiceSpec spec(Instance instance, List<String> jvm) {
        String ready = instance.workload().readinessPath() == null ? "/q/health/ready" : instance.workload().readinessPath();
        return new ServiceSpec(instance.name(), instance.app(), instance.port(), instance.env(), ready, jvm);
    }

    public Layout layout() {
        return layout;
    }

    public DataPlane dataPlane() {
        return plane;
    }

    public Path root() {
        return root;
    }

    /** The page, through the ingress gateway. */
    public URI ingress() {
        return URI.create("http://127.0.0.1:" + layout.ports().ingress() + "/");
    }

    /** Completes with the first service instance that exits on its own. */
    public CompletableFuture<ServiceProcess> unexpectedExit() {
        return suite.anyExit();
    }

    /** The last {@link #apply} and what became of it, or null. */
    public ApplyResult lastApply() {
        return lastApply;
    }

    /**
     * Validates {@code read} over the configuration in force and, when it has no error, applies it
     * (same kind and name replaces). Refused manifests change nothing.
     */
    public synchronized ApplyResult apply(String label, ManifestReader.Result read) {
        MeshConfig current = plane.config();
        ScenarioValidator.Report report = validator.validateOver(label, current.manifests(), read);
        List<Finding> findings = new ArrayList<>(report.findings());
        ApplyResult result;
        if (report.errors() > 0) {
            result = new ApplyResult(label, System.currentTimeMillis(), false, read.manifests(), findings);
        } else {
            // Workloads and Services are the chart's: the local mesh starts no others, so a folder's
            // Kubernetes objects are checked with it (above) but not applied.
            Map<Boolean, List<Manifest>> byIstio = read.manifests().stream().collect(Collectors.partitioningBy(validator::isIstio));
            List<Manifest> istio = byIstio.get(true);
            byIstio.get(false).forEach(m -> findings.add(Finding.warning("LOCAL", m,
                    "not applied: the local mesh runs the chart's Services and workloads only")));
            MeshConfig next = current.apply(istio);
            findings.addAll(next.warnings().stream().filter(w -> read.manifests().stream().anyMatch(m -> m.file().equals(w.file())))
                    .toList());
            plane.configure(next);
            result = new ApplyResult(label, System.currentTimeMillis(), true, read.manifests(), findings);
        }
        lastApply = result;
        return result;
    }

    /** Every object in force: the chart's and those applied since. */
    public List<Manifest> inForce() {
        return plane.config().manifests();
    }

    /** {@code GET path} on one instance directly (not through the mesh), as {@code kubectl exec ... curl} would. */
    public HttpResponse<String> call(String instance, String path) throws IOException, InterruptedException {
        List<Instance> now = instances;
        Instance target = now.stream().filter(i -> i.name().equals(instance)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no instance " + instance + " (instances: "
                        + now.stream().map(Instance::name).toList() + ")"));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 == 2 && path.equals("/injectFault")) {
            faulted.add(instance);
        } else if (response.statusCode() / 100 == 2 && path.equals("/resetFault")) {
            faulted.remove(instance);
        }
        return response;
    }

    /** The instances with a fault injected through {@link #call} (catalogdetail's {@code /injectFault}), and not reset since. */
    public Set<String> faulted() {
        return Set.copyOf(faulted);
    }

    /**
     * Sets environment variables on every instance of a Deployment and restarts them one by one,
     * as {@code kubectl set env deployment/NAME K=V} rolls its pods; returns the instances restarted.
     */
    public synchronized List<String> setEnv(String deployment, Map<String, String> env) throws MeshException {
        List<Instance> targets = running.values().stream().filter(i -> i.workload().name().equals(deployment)).toList();
        if (targets.isEmpty()) {
            throw new MeshException("no Deployment " + deployment + " (Deployments: "
                    + running.values().stream().map(i -> i.workload().name()).distinct().toList() + ")");
        }
        List<String> restarted = new ArrayList<>();
        for (Instance instance : targets) {
            Instance changed = instance.withEnv(env);
            plane.endpoints(plane.endpoints().stream().filter(e -> !e.name().equals(instance.name())).toList());
            try {
                suite.replace(instance.name(), spec(changed, jvm), output, startTimeout);
            } catch (SuiteException e) {
                throw new MeshException(e.getMessage(), e);
            }
            running.put(instance.name(), changed);
            instances = List.copyOf(running.values());
            faulted.remove(instance.name()); // a new process
            List<io.productapp.mesh.route.Endpoint> endpoints = new ArrayList<>(plane.endpoints());
            endpoints.add(changed.endpoint());
            plane.endpoints(endpoints);
            restarted.add(instance.name());
        }
        return restarted;
    }

    /** The instances as they run now (their environment included). */
    public List<Instance> instances() {
        return instances;
    }

    /** Stops the services (callers first), then the proxies. */
    @Override
    public void close() {
        teardown.run();
    }

    /** The mesh could not start or do what was asked; the message says why. */
    public static final class MeshException extends Exception {
        public MeshException(String message) {
            super(message);
        }

        public MeshException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
