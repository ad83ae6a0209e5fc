package io.productapp.mesh.launch;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import io.productapp.mesh.config.Sources;
import io.productapp.mesh.config.CrdSchemas;
import io.productapp.mesh.config.Finding;
import io.productapp.mesh.config.Manifest;
import io.productapp.mesh.config.ManifestReader;
import io.productapp.mesh.analysis.ScenarioValidator;
import io.productapp.mesh.kube.Kubectl;
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
    private final Kubelet kubelet;
    private final ScenarioValidator validator;
    private final Duration startTimeout;
    /** Pods with a fault injected through {@link #call}, and their restarts then: a restarted container has none. */
    private final Map<String, Integer> faulted = new ConcurrentHashMap<>();
    /** For {@link #call}: one client, its connections and threads kept, not one per call. */
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private volatile ApplyResult lastApply;

    private LocalMesh(Path root, Teardown teardown, Layout layout, DataPlane plane, Kubelet kubelet, ScenarioValidator validator,
            Duration startTimeout) {
        this.root = root;
        this.teardown = teardown;
        this.layout = layout;
        this.plane = plane;
        this.kubelet = kubelet;
        this.validator = validator;
        this.startTimeout = startTimeout;
        kubelet.watch(row -> {
            Integer at = faulted.get(row.name());
            if (at != null && row.restartCount() != at) {
                faulted.remove(row.name()); // a new container: the fault was the old one's
            }
        });
    }

    /** Renders the chart, starts the ingress gateway, then the pods with their sidecars; returns once every pod is Ready. */
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
        DataPlane plane = new DataPlane(config, options.logDirectory(), options.seed(),
                DataPlane.eventLoopsFor(Runtime.getRuntime().availableProcessors()));
        teardown.add(plane);
        try {
            plane.start(new Proxy.Identity("istio-ingressgateway", Proxy.Kind.INGRESS, INGRESS_NAMESPACE, INGRESS_LABELS,
                    new Locality(Layout.REGION, Layout.ZONES.get(0), ""), GATEWAY_PORT), options.ports().ingress());
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
        plane.endpoints(List.of()); // a pod is an endpoint once it is Ready
        Kubelet kubelet = new Kubelet(layout, plane, teardown, jvm, output);
        teardown.add(kubelet);
        try {
            for (Instance instance : layout.instances()) {
                Suite.requireFreePort(instance.name(), instance.port());
            }
            kubelet.createAll();
            kubelet.awaitAllReady(options.startTimeout());
        } catch (ProxyStartException e) {
            teardown.run();
            throw new MeshException(e.getMessage() + ": stop whatever holds the port, or pass --port-offset N", e);
        } catch (SuiteException | IOException | MeshException e) {
            teardown.run();
            throw e instanceof MeshException m ? m : new MeshException(e.getMessage(), e);
        } catch (InterruptedException e) {
            teardown.run();
            Thread.currentThread().interrupt();
            throw new MeshException("interrupted while starting", e);
        }
        return new LocalMesh(root, teardown, layout, plane, kubelet, validator, options.startTimeout());
    }

    /** The kubelet: the pods as kubectl shows them, kills, waits. */
    public Kubelet kubelet() {
        return kubelet;
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
        List<Instance> now = instances();
        Instance target = now.stream().filter(i -> i.name().equals(instance)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no instance " + instance + " (instances: "
                        + now.stream().map(Instance::name).toList() + ")"));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (path.equals("/injectFault") && response.statusCode() / 100 == 5) { // catalogdetail answers its injection with a 500
            faulted.put(instance, restarts(instance));
        } else if (response.statusCode() / 100 == 2 && path.equals("/resetFault")) {
            faulted.remove(instance);
        }
        return response;
    }

    /** The instances with a fault injected through {@link #call} (catalogdetail's {@code /injectFault}), and not reset since. */
    public Set<String> faulted() {
        return Set.copyOf(faulted.keySet());
    }

    private int restarts(String pod) {
        return kubelet.rows().stream().filter(r -> r.name().equals(pod)).findFirst()
                .map(Kubectl.Row::restartCount).orElse(0);
    }

    /**
     * Sets environment variables on a Deployment's pod template, as {@code kubectl set env
     * deployment/NAME K=V} does: the Deployment rolls out as its strategy says (with one replica:
     * a new pod starts, becomes Ready, then the old one terminates); returns the new pods once
     * the old ones are gone.
     */
    public List<String> setEnv(String deployment, Map<String, String> env) throws MeshException {
        return kubelet.rollOut(deployment, env, startTimeout);
    }

    /** The pods' instances as they are now (their environment included), terminating ones too. */
    public List<Instance> instances() {
        return kubelet.instances();
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
