package io.productapp.mesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.productapp.mesh.analysis.ScenarioValidator;
import io.productapp.mesh.config.Manifest;
import io.productapp.mesh.config.ManifestReader;
import io.productapp.mesh.config.Sources;
import io.productapp.mesh.model.MeshConfig;
import io.productapp.mesh.model.Workload;
import io.productapp.mesh.route.Endpoint;
import io.productapp.mesh.route.Locality;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Stand-ins for the chart's services on 127.0.0.1 (Vert.x servers playing catalogdetail v1 and
 * v2 and productcatalog, answering as a test says) and the configuration the proxies start from
 * (the chart and {@code setup-mesh-resources}), for tests of the data plane on real sockets.
 */
final class StandIns implements AutoCloseable {

    static final Path ROOT = Path.of(System.getProperty("productapp.root", "..")).toAbsolutePath().normalize();
    static final Locality ZONE_A = new Locality("us-west-2", "us-west-2a", "");
    static final Locality ZONE_B = new Locality("us-west-2", "us-west-2b", "");
    static final String CATALOGDETAIL = "http://catalogdetail.workshop.svc.cluster.local:3000/catalogDetail";

    final MeshConfig base;
    final List<Endpoint> endpoints = new ArrayList<>();
    /** The stand-in instances: name -> its behaviour for the next requests. */
    final Map<String, Consumer<HttpServerRequest>> behaviour = new ConcurrentHashMap<>();
    /**
     * What they received, in order: "name METHOD uri x-envoy-original-path". A queue: an add costs
     * O(1) and a clear keeps no capacity (a fuzz sends 100,000 requests, then measures the heap).
     */
    final Queue<String> received = new ConcurrentLinkedQueue<>();
    private final Vertx vertx = Vertx.vertx();

    StandIns() throws Exception {
        List<Manifest> manifests = new ArrayList<>(Sources.renderChart(ROOT.resolve("helm/productapp")).manifests());
        manifests.addAll(Sources.readFolder(ROOT.resolve("istio/setup-mesh-resources"), ROOT).manifests());
        base = MeshConfig.of(manifests);
        endpoints.add(upstream("catalogdetail-0", "catalogdetail", ZONE_A, "{\"version\":\"1\"}"));
        endpoints.add(upstream("catalogdetail2-0", "catalogdetail2", ZONE_B, "{\"version\":\"2\"}"));
        endpoints.add(upstream("productcatalog-0", "productcatalog", ZONE_A, "{\"products\":{}}"));
    }

    /**
     * A stand-in for one instance of a Deployment, answering {@code json} unless a test says
     * otherwise; not among {@link #endpoints} unless the caller adds it (the chart's frontend has
     * none by default, so the ingress' page is 503 UH).
     */
    Endpoint upstream(String name, String deployment, Locality locality, String json) throws Exception {
        HttpServer server = vertx.createHttpServer().requestHandler(request -> {
            synchronized (received) {
                received.add(name + " " + request.method() + " " + request.uri() + " " + request.headers().get("x-envoy-original-path"));
                received.notifyAll();
            }
            behaviour.getOrDefault(name, r -> r.response().putHeader("content-type", "application/json").end(json)).accept(request);
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        return new Endpoint(name, "127.0.0.1", server.actualPort(), workload(deployment).podLabels(), locality);
    }

    /** An instance of {@code deployment} whose port nobody listens on: connecting to it is refused. */
    Endpoint dead(String name, String deployment) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        return new Endpoint(name, "127.0.0.1", port, workload(deployment).podLabels(), ZONE_A);
    }

    Workload workload(String deployment) {
        return base.workloads().stream().filter(w -> w.name().equals(deployment)).findFirst().orElseThrow();
    }

    /** A data plane over the stand-ins (and {@code more} endpoints), its access logs in {@code logs}. */
    DataPlane plane(Path logs, long seed, Endpoint... more) {
        DataPlane plane = new DataPlane(base, logs, seed, 2);
        List<Endpoint> all = new ArrayList<>(endpoints);
        all.addAll(List.of(more));
        plane.endpoints(all);
        return plane;
    }

    Proxy.Identity sidecar(String deployment) {
        return new Proxy.Identity(deployment + "-0", Proxy.Kind.SIDECAR, "workshop", workload(deployment).podLabels(), ZONE_A, 0);
    }

    static Proxy.Identity ingress() {
        return new Proxy.Identity("istio-ingressgateway", Proxy.Kind.INGRESS, "istio-ingress", ScenarioValidator.INGRESS_GATEWAY_POD,
                ZONE_A, 80);
    }

    /** A client that sends every request through {@code proxy}, as the services' REST clients do with their proxy setting. */
    static HttpClient via(Proxy proxy) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxy.port()))).connectTimeout(Duration.ofSeconds(2)).build();
    }

    /** The base configuration with {@code yaml} applied over it. */
    MeshConfig with(String yaml) {
        ManifestReader.Result read = ManifestReader.read(yaml, "test.yaml");
        assertThat(read.findings()).isEmpty();
        return base.apply(read.manifests());
    }

    /** The behaviours and what was received, forgotten. */
    void reset() {
        behaviour.clear();
        received.clear();
    }

    static HttpResponse<String> get(HttpClient client, String url, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Asserts that {@code count} of {@code n} independent draws is what a share of {@code percent}
     * gives: within 3.5 standard deviations of {@code n × percent} (a right draw fails one run in
     * about 2,000).
     */
    static void assertShare(String what, long count, long n, double percent) {
        double p = percent / 100;
        double band = 3.5 * Math.sqrt(n * p * (1 - p));
        assertThat((double) count).as("%s: %d of %d, expected %s%% ± %.1f", what, count, n, percent, band)
                .isBetween(n * p - band, n * p + band);
    }

    /** A VirtualService {@code catalogdetail} with these rules. */
    static String vs(String rules) {
        return "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: catalogdetail\nspec:\n  hosts: [catalogdetail]\n  http:\n"
                + rules.indent(4);
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
