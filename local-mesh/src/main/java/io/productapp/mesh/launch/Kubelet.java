package io.productapp.mesh.launch;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;

import io.productapp.mesh.kube.Kubectl;
import io.productapp.mesh.kube.Pod;
import io.productapp.mesh.kube.ProbeWorker;
import io.productapp.mesh.kube.RollingUpdate;
import io.productapp.mesh.launch.Layout.Instance;
import io.productapp.mesh.model.Workload;
import io.productapp.mesh.model.Workload.Probe;
import io.productapp.mesh.proxy.DataPlane;
import io.productapp.mesh.proxy.DataPlane.ProxyStartException;
import io.productapp.mesh.proxy.Proxy;
import io.productapp.mesh.route.Endpoint;

/**
 * The local mesh's kubelet, endpoints controller and Deployment controller: it runs each pod's
 * container as a process with its own sidecar, probes it over HTTP as its pod spec says, restarts
 * it after an exit or a failed liveness probe with the kubelet's back-off, rolls a Deployment out
 * when its environment changes, terminates pods in Kubernetes' order, and keeps the data plane's
 * endpoints to the pods that are Ready and not terminating. The rules are {@link Pod}'s and
 * {@link RollingUpdate}'s; this class only runs them: everything happens on one thread (the
 * "kubelet" thread), in the order events arrive, on the JVM's clock.
 */
public final class Kubelet implements AutoCloseable {

    /** How often a terminating pod checks whether its in-flight requests have ended. */
    private static final long DRAIN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** A pod, its instance (ports, environment), its process and its sidecar. */
    private final class Run {
        final Pod pod;
        final Instance instance;
        final int revision;
        ServiceProcess process;
        Proxy sidecar;
        final Set<ProbeWorker> probing = new HashSet<>();
        String shown = "";

        Run(Pod pod, Instance instance, int revision) {
            this.pod = pod;
            this.instance = instance;
            this.revision = revision;
        }
    }

    /** A Deployment's template revision and the rollout of it that is under way, if any. */
    private static final class Deployment {
        final Workload workload;
        /** The layout's first pod of it: the zone and ports a new pod starts from when no other is left. */
        final Instance template;
        int revision;
        Map<String, String> env;
        CompletableFuture<List<String>> rollout;
        List<String> created = new ArrayList<>();
        /** Set by the last {@link #reconcile}: the new pods are all available and no old pod is left. */
        boolean complete;

        Deployment(Instance template) {
            this.workload = template.workload();
            this.template = template;
            this.env = Map.of();
        }
    }

    private final DataPlane plane;
    private final Teardown teardown;
    private final Layout layout;
    private final List<String> jvm;
    private final Consumer<String> output;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "kubelet");
        thread.setDaemon(true);
        return thread;
    });
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, Run> pods = new LinkedHashMap<>();
    private final Map<String, Deployment> deployments = new LinkedHashMap<>();
    private final List<Consumer<Kubectl.Row>> watchers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile List<Instance> instances = List.of();
    private volatile List<Kubectl.Row> rows = List.of();
    private ScheduledFuture<?> wake;
    private long wakeAt = Long.MAX_VALUE;
    private List<Endpoint> published = List.of();
    private boolean closed;

    /**
     * @param output each line a service prints, prefixed with its name
     */
    Kubelet(Layout layout, DataPlane plane, Teardown teardown, List<String> jvm, Consumer<String> output) {
        this.layout = layout;
        this.plane = plane;
        this.teardown = teardown;
        this.jvm = jvm;
        this.output = output;
        for (Instance instance : layout.instances()) {
            deployments.computeIfAbsent(instance.workload().name(), n -> new Deployment(instance));
        }
    }

    // ---- what callers ask (any thread) ------------------------------------------------------------

    /** Creates the layout's pods: each one's sidecar, then its process. Returns once they run (not once they are Ready). */
    void createAll() throws ProxyStartException, IOException {
        try {
            call(() -> {
                for (Instance instance : layout.instances()) {
                    create(instance, 0);
                }
                return null;
            });
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof ProxyStartException p) {
                throw p;
            }
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }

    /** Waits until every pod is Ready, or fails naming a pod whose container exited before it ever was. */
    void awaitAllReady(Duration timeout) throws LocalMesh.MeshException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String failure = call(() -> {
                for (Run run : pods.values()) {
                    if (run.pod.restarts() > 0 || run.pod.state() != Pod.State.RUNNING && run.pod.lastTermination() >= 0) {
                        List<String> tail = run.process == null ? List.of() : run.process.tail();
                        return run.pod.name() + " exited with code " + run.pod.exitCode() + " before it was ready"
                                + (tail.isEmpty() ? "" : "; its last lines:\n  " + String.join("\n  ", tail));
                    }
                }
                return pods.values().stream().allMatch(r -> r.pod.ready()) ? "" : null;
            });
            if (failure != null) {
                if (failure.isEmpty()) {
                    return;
                }
                throw new LocalMesh.MeshException(failure);
            }
            if (System.nanoTime() > deadline) {
                throw new LocalMesh.MeshException("not every pod was Ready in time: " + rows());
            }
            Thread.sleep(50);
        }
    }

    /** The pods as {@code kubectl get pods -o wide} shows them, updated at each change. */
    public List<Kubectl.Row> rows() {
        return rows;
    }

    /** Receives a pod's row each time its READY, STATUS or RESTARTS change. */
    public void watch(Consumer<Kubectl.Row> watcher) {
        watchers.add(watcher);
    }

    /** The instances of the pods that exist now, terminating ones included. */
    public List<Instance> instances() {
        return instances;
    }

    /**
     * SIGKILLs the container of pod {@code name}, as a crash; returns once the kubelet has seen it
     * exit (the pod is then not Ready; the kubelet restarts it as its back-off says).
     */
    public void kill(String name) throws LocalMesh.MeshException, InterruptedException {
        ServiceProcess killed = call(() -> {
            Run run = pods.get(name);
            if (run == null || run.process == null || run.pod.state() != Pod.State.RUNNING) {
                return null;
            }
            run.process.kill();
            return run.process;
        });
        if (killed == null) {
            throw new LocalMesh.MeshException("no running pod " + name + " (pods: " + rows() + ")");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (call(() -> pods.get(name) != null && pods.get(name).process == killed && pods.get(name).pod.state() == Pod.State.RUNNING)) {
            if (System.nanoTime() > deadline) {
                throw new LocalMesh.MeshException(name + " did not exit after SIGKILL");
            }
            Thread.sleep(10);
        }
    }

    /** Waits until the pods {@code selected} picks are all Ready and not terminating (at least one). */
    public void awaitReady(Predicate<Instance> selected, Duration timeout) throws LocalMesh.MeshException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!call(() -> {
            List<Run> chosen = pods.values().stream().filter(r -> !r.pod.terminating() && selected.test(r.instance)).toList();
            return !chosen.isEmpty() && chosen.stream().allMatch(r -> r.pod.ready());
        })) {
            if (System.nanoTime() > deadline) {
                throw new LocalMesh.MeshException("not Ready in " + timeout.toSeconds() + " s: " + rows());
            }
            Thread.sleep(50);
        }
    }

    /**
     * Changes the environment of a Deployment's pod template and rolls it out as its strategy
     * says; returns the new pods once the rollout is complete and the old pods are gone.
     */
    public List<String> rollOut(String deployment, Map<String, String> env, Duration timeout) throws LocalMesh.MeshException {
        CompletableFuture<List<String>> done = call(() -> {
            Deployment d = deployments.get(deployment);
            if (d == null) {
                return CompletableFuture.failedFuture(new LocalMesh.MeshException("no Deployment " + deployment + " (Deployments: "
                        + deployments.keySet() + ")"));
            }
            Map<String, String> changed = new LinkedHashMap<>(d.env);
            changed.putAll(env);
            d.env = changed;
            d.revision++;
            d.created = new ArrayList<>();
            if (d.rollout == null || d.rollout.isDone()) {
                d.rollout = new CompletableFuture<>();
            }
            reconcile();
            return d.rollout;
        });
        try {
            return done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof LocalMesh.MeshException m ? m : new LocalMesh.MeshException(e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new LocalMesh.MeshException("the rollout of " + deployment + " did not complete in " + timeout.toSeconds() + " s: " + rows());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalMesh.MeshException("interrupted", e);
        }
    }

    /** Runs {@code task} on the kubelet's thread and returns its result. */
    private <T> T call(java.util.concurrent.Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(task.call());
            } catch (Exception | Error e) {
                result.completeExceptionally(e);
            }
            settle();
        });
        try {
            return result.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the kubelet did not answer", e);
        }
    }

    // ---- on the kubelet's thread ------------------------------------------------------------------

    private long now() {
        return System.nanoTime();
    }

    /** A new pod of {@code instance}: its sidecar listens, then its container starts. */
    private Run create(Instance instance, int revision) throws ProxyStartException, IOException {
        Pod pod = new Pod(instance.name(), instance.workload().pod(), now());
        Run run = new Run(pod, instance, revision);
        run.sidecar = plane.start(new Proxy.Identity(instance.name(), Proxy.Kind.SIDECAR, instance.workload().origin().namespace(),
                instance.labels(), instance.locality(), 0), instance.sidecarPort());
        pods.put(instance.name(), run);
        startContainer(run);
        return run;
    }

    private void startContainer(Run run) throws IOException {
        Instance instance = run.instance;
        ServiceProcess process = ServiceProcess.start(new ServiceSpec(instance.name(), instance.app(), instance.port(), instance.env(),
                instance.workload().readinessPath() == null ? "/q/health/ready" : instance.workload().readinessPath(), jvm), output);
        run.process = process;
        teardown.add(process);
        run.pod.started(now());
        process.onExit().thenAccept(exited -> loop.execute(() -> {
            if (run.process == exited) {
                run.pod.exited(exited.exitCode(), now());
                teardown.remove(exited);
            }
            settle();
        }));
    }

    /** After every event: probes due, process actions, rollouts, endpoints, rows, and the next wake-up. */
    private void settle() {
        if (closed || teardown.isDone()) {
            return; // stopping: nothing is started again
        }
        long now = now();
        for (Run run : List.copyOf(pods.values())) {
            for (ProbeWorker probe : run.pod.dueProbes(now)) {
                probe(run, probe);
            }
            act(run, run.pod.action(now));
            drain(run, now);
            if (run.pod.terminating() && run.pod.state() != Pod.State.RUNNING) {
                remove(run);
            }
        }
        reconcile();
        publish(now);
        completeRollouts();
        schedule(now);
    }

    private void act(Run run, Pod.Action action) {
        if (action == null) {
            return;
        }
        switch (action) {
            case START -> {
                run.pod.restarting(now());
                try {
                    startContainer(run);
                } catch (IOException e) {
                    output.accept("[" + run.pod.name() + "] could not start: " + e.getMessage());
                    run.pod.exited(1, now());
                }
            }
            case KILL, TERMINATE -> run.process.terminate();
            case FORCE_KILL -> run.process.kill();
        }
    }

    /** A terminating pod gets its SIGTERM once nothing is on its way to it, or half-way through its grace period. */
    private void drain(Run run, long now) {
        if (run.pod.mayTerminate()
                && (plane.inFlightTo(run.pod.name()) == 0 || now - run.pod.deletedAt() >= run.pod.gracePeriod() / 2)) {
            run.pod.terminateSent();
            run.process.terminate();
        }
    }

    private void remove(Run run) {
        pods.remove(run.pod.name());
        if (run.sidecar != null) {
            plane.stop(run.sidecar);
            run.sidecar = null;
        }
    }

    private void probe(Run run, ProbeWorker probe) {
        if (!run.probing.add(probe)) {
            return; // the last one has not answered yet
        }
        Probe spec = probe.spec();
        int port = run.instance.port();
        Duration timeout = Duration.ofSeconds(Math.max(1, spec.timeoutSeconds()));
        CompletableFuture<Boolean> result;
        if (spec.path() != null) {
            result = http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + spec.path())).timeout(timeout)
                    .header("User-Agent", "kube-probe/1.33").build(), HttpResponse.BodyHandlers.discarding())
                    .thenApply(r -> r.statusCode() >= 200 && r.statusCode() < 400)
                    .exceptionally(e -> false);
        } else {
            result = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) timeout.toMillis());
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
        }
        ServiceProcess probed = run.process;
        result.thenAccept(success -> loop.execute(() -> {
            run.probing.remove(probe);
            if (run.process == probed && pods.get(run.pod.name()) == run) {
                act(run, run.pod.probed(probe, success, now()));
            }
            settle();
        }));
    }

    /** The Deployment controller: one pass over each Deployment whose template changed. */
    private void reconcile() {
        long now = now();
        for (Map.Entry<String, Deployment> entry : deployments.entrySet()) {
            Deployment d = entry.getValue();
            if (d.rollout == null || d.rollout.isDone()) {
                continue;
            }
            int replicas = d.workload.replicas();
            RollingUpdate.Limits limits = RollingUpdate.limits(d.workload.strategy(), replicas);
            List<Run> old = pods.values().stream().filter(r -> r.instance.workload().name().equals(entry.getKey())
                    && r.revision < d.revision && !r.pod.terminating()).toList();
            List<Run> fresh = pods.values().stream().filter(r -> r.instance.workload().name().equals(entry.getKey())
                    && r.revision == d.revision && !r.pod.terminating()).toList();
            int minReady = d.workload.strategy().minReadySeconds();
            int available = (int) fresh.stream().filter(r -> RollingUpdate.available(r.pod.ready(), r.pod.readySince(), minReady, now))
                    .count();
            RollingUpdate.Step step = RollingUpdate.reconcile(replicas, limits, old.stream()
                    .map(r -> new RollingUpdate.OldPod(r.pod.name(), r.pod.ready(),
                            RollingUpdate.available(r.pod.ready(), r.pod.readySince(), minReady, now), r.pod.readySince(),
                            r.pod.restarts(), r.pod.created()))
                    .toList(), fresh.size(), available);
            for (int i = 0; i < step.createNew(); i++) {
                try {
                    Instance replaced = old.isEmpty() ? d.template : old.get(Math.min(i, old.size() - 1)).instance;
                    Run run = create(next(replaced, d), d.revision);
                    d.created.add(run.pod.name());
                } catch (ProxyStartException | IOException e) {
                    d.rollout.completeExceptionally(new LocalMesh.MeshException("the rollout of " + entry.getKey()
                            + " could not create a pod: " + e.getMessage(), e));
                }
            }
            for (String name : step.deleteOld()) {
                pods.get(name).pod.delete(now);
            }
            boolean oldGone = pods.values().stream().noneMatch(r -> r.instance.workload().name().equals(entry.getKey())
                    && r.revision < d.revision);
            d.complete = oldGone && available == replicas;
        }
    }

    /**
     * Ends the rollouts {@link #reconcile} found complete. Called after {@link #publish}, so a caller
     * that {@link #rollOut} wakes sees the instances and rows without the old pods.
     */
    private void completeRollouts() {
        for (Deployment d : deployments.values()) {
            if (d.complete && d.rollout != null && !d.rollout.isDone()) {
                d.rollout.complete(List.copyOf(d.created));
            }
        }
    }

    /** A new pod for Deployment {@code d} in the zone of {@code replaced}: the next free name, ports of its own, the new environment. */
    private Instance next(Instance replaced, Deployment d) throws IOException {
        String base = d.workload.name() + "-";
        int index = 0;
        while (pods.containsKey(base + index)) {
            index++;
        }
        String name = base + index;
        Set<Integer> used = new HashSet<>();
        pods.values().forEach(r -> {
            used.add(r.instance.port());
            used.add(r.instance.sidecarPort());
        });
        int port = freePort(replaced.port(), used);
        used.add(port);
        int sidecar = freePort(layout.ports().firstSidecar() + layout.instances().size(), used);
        Map<String, String> env = new LinkedHashMap<>(replaced.env());
        env.putAll(d.env);
        env.put("QUARKUS_PROXY_PORT", String.valueOf(sidecar));
        env.put("CATALOGDETAIL_INSTANCE", name);
        return new Instance(name, replaced.workload(), replaced.locality(), port, sidecar, replaced.app(), env);
    }

    private static int freePort(int from, Set<Integer> used) throws IOException {
        for (int port = from; port < 65_535; port++) {
            if (used.contains(port)) {
                continue;
            }
            try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException e) {
                // taken: the next one
            }
        }
        throw new IOException("no free port from " + from);
    }

    /** The data plane's endpoints: the pods Ready and not terminating. Also the rows and the instances. */
    private void publish(long now) {
        List<Endpoint> endpoints = pods.values().stream().filter(r -> r.pod.endpoint()).map(r -> r.instance.endpoint()).toList();
        if (!endpoints.equals(published)) {
            published = endpoints;
            plane.endpoints(endpoints);
        }
        List<Kubectl.Row> now0 = new ArrayList<>();
        for (Run run : pods.values()) {
            Kubectl.Row row = Kubectl.row(run.pod, now, "127.0.0.1:" + run.instance.port(), run.instance.locality().zone());
            now0.add(row);
            String shown = row.ready() + " " + row.status() + " " + run.pod.restarts();
            if (!shown.equals(run.shown)) {
                run.shown = shown;
                watchers.forEach(w -> w.accept(row));
            }
        }
        now0.sort(Comparator.comparing(Kubectl.Row::name));
        rows = List.copyOf(now0);
        instances = pods.values().stream().map(r -> r.instance).toList();
    }

    private void schedule(long now) {
        long next = Long.MAX_VALUE;
        for (Run run : pods.values()) {
            next = Math.min(next, run.pod.nextWake());
            if (run.pod.mayTerminate()) {
                next = Math.min(next, now + DRAIN_POLL_NANOS);
            }
        }
        if (next == Long.MAX_VALUE || next >= wakeAt && wake != null && !wake.isDone()) {
            return;
        }
        if (wake != null) {
            wake.cancel(false);
        }
        wakeAt = next;
        wake = loop.schedule(() -> {
            wakeAt = Long.MAX_VALUE;
            settle();
        }, Math.max(0, next - now), TimeUnit.NANOSECONDS);
    }

    /** Stops the kubelet's own thread; the processes and sidecars are the teardown's. */
    @Override
    public void close() {
        try {
            loop.submit(() -> closed = true).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // stopping anyway
        }
        loop.shutdownNow();
    }
}
