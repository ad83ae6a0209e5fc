package io.productapp.mesh.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.productapp.mesh.config.Finding;
import io.productapp.mesh.config.Manifest;
import io.productapp.mesh.config.ManifestReader;
import io.productapp.mesh.launch.Layout.Instance;
import io.productapp.mesh.launch.LocalMesh;
import io.productapp.mesh.launch.LocalMesh.ApplyResult;
import io.productapp.mesh.launch.LocalMesh.MeshException;
import io.productapp.mesh.proxy.TrafficStats;
import io.productapp.mesh.proxy.TrafficWindow;

/**
 * The running mesh's admin API, on 127.0.0.1 (port 15000 by default, as Envoy's admin): what
 * {@code ./demo apply} talks to, and what a user can {@code curl}. JSON in and out.
 *
 * <pre>
 * GET  /                              the traffic view: the graph, a table of its edges, the configuration in force
 * GET  /traffic                       the traffic view's data (productapp-traffic/1): nodes, edges over the last 10 s, config
 * GET  /traffic/events                the same, as server-sent events (event "traffic"), one a second
 * GET  /config                        the objects in force (kind, name, namespace, file) and the last apply
 * POST /apply                         {"label": ..., "files": [{"path": ..., "content": ...}]}: validate, apply or refuse
 * GET  /stats                         every counter: proxy, cluster, endpoint, metric, value
 * GET  /instances                     the workload instances: name, Deployment, labels, zone, ports
 * GET  /pods                          the pods as kubectl get pods -o wide shows them: ready, status, restarts, age, zone
 * POST /instances/NAME/injectFault    GET /injectFault on that instance (and /resetFault)
 * POST /deployments/NAME/env          {"NAME": "value", ...}: set env: the Deployment rolls out
 * </pre>
 */
public final class AdminServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Server-sent event streams at once; each holds one of the admin threads. */
    static final int MAX_STREAMS = 8;

    private final LocalMesh mesh;
    private final HttpServer server;
    private final AtomicInteger streams = new AtomicInteger();
    private final byte[] page;
    private final ExecutorService executor = Executors.newFixedThreadPool(MAX_STREAMS + 4, runnable -> {
        Thread thread = new Thread(runnable, "admin");
        thread.setDaemon(true);
        return thread;
    });

    public AdminServer(LocalMesh mesh, int port) throws IOException {
        this.mesh = mesh;
        try (InputStream in = AdminServer.class.getResourceAsStream("traffic.html")) {
            if (in == null) {
                throw new IOException("traffic.html is missing from the local mesh's classes");
            }
            this.page = in.readAllBytes();
        }
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        try {
            if (method.equals("GET") && path.equals("/")) {
                sendPage(exchange);
            } else if (method.equals("GET") && path.equals("/traffic")) {
                send(exchange, 200, traffic(mesh.dataPlane().traffic().latest()).getBytes(StandardCharsets.UTF_8));
            } else if (method.equals("GET") && path.equals("/traffic/events")) {
                stream(exchange);
            } else if (method.equals("GET") && path.equals("/config")) {
                send(exchange, 200, config());
            } else if (method.equals("POST") && path.equals("/apply")) {
                apply(exchange);
            } else if (method.equals("GET") && path.equals("/stats")) {
                send(exchange, 200, stats());
            } else if (method.equals("GET") && path.equals("/instances")) {
                send(exchange, 200, instances());
            } else if (method.equals("GET") && path.equals("/pods")) {
                ArrayNode pods = JSON.createArrayNode();
                mesh.kubelet().rows().forEach(row -> pods.addObject().put("name", row.name()).put("ready", row.ready())
                        .put("status", row.status()).put("restarts", row.restarts()).put("age", row.age()).put("ip", row.ip())
                        .put("zone", row.zone()));
                send(exchange, 200, JSON.createObjectNode().set("pods", pods));
            } else if (method.equals("POST") && path.matches("/instances/[^/]+/(injectFault|resetFault)")) {
                String[] parts = path.split("/");
                HttpResponse<String> answer = mesh.call(parts[2], "/" + parts[3]);
                ObjectNode body = JSON.createObjectNode().put("instance", parts[2]).put("status", answer.statusCode())
                        .put("body", answer.body());
                send(exchange, 200, body);
            } else if (method.equals("POST") && path.matches("/deployments/[^/]+/env")) {
                JsonNode body = read(exchange);
                Map<String, String> env = new LinkedHashMap<>();
                body.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
                List<String> created = mesh.setEnv(path.split("/")[2], env);
                ArrayNode names = JSON.createArrayNode();
                created.forEach(names::add);
                send(exchange, 200, JSON.createObjectNode().set("rolledOut", names));
            } else {
                send(exchange, 404, error("no such admin endpoint: " + method + " " + path
                        + " (GET /, GET /traffic, GET /traffic/events, GET /config, POST /apply, GET /stats, GET /instances, GET /pods)"));
            }
        } catch (IllegalArgumentException | MeshException e) {
            send(exchange, 400, error(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            send(exchange, 503, error("interrupted"));
        } catch (IOException | RuntimeException e) {
            send(exchange, 500, error(e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
    }

    private void apply(HttpExchange exchange) throws IOException {
        JsonNode body = read(exchange);
        JsonNode files = body.path("files");
        if (!files.isArray() || files.isEmpty()) {
            send(exchange, 400, error("field 'files' must be a non-empty array of {\"path\", \"content\"}"));
            return;
        }
        List<Manifest> manifests = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        for (JsonNode file : files) {
            if (!file.path("path").isTextual() || !file.path("content").isTextual()) {
                send(exchange, 400, error("each entry of 'files' needs the strings 'path' and 'content'"));
                return;
            }
            ManifestReader.Result read = ManifestReader.read(file.path("content").asText(), file.path("path").asText());
            manifests.addAll(read.manifests());
            findings.addAll(read.findings());
        }
        ApplyResult result = mesh.apply(body.path("label").asText("apply"), new ManifestReader.Result(manifests, findings));
        send(exchange, result.applied() ? 200 : 422, applyResult(result));
    }

    static ObjectNode applyResult(ApplyResult result) {
        ObjectNode node = JSON.createObjectNode().put("label", result.label())
                .put("time", java.time.Instant.ofEpochMilli(result.epochMillis()).toString()).put("applied", result.applied());
        ArrayNode objects = node.putArray("objects");
        result.manifests().forEach(m -> objects.addObject().put("kind", m.kind()).put("name", m.name()).put("file", m.file()));
        ArrayNode findings = node.putArray("findings");
        result.findings().forEach(f -> findings.addObject().put("code", f.code()).put("level", f.level().toString())
                .put("file", f.file()).put("subject", f.subject()).put("message", f.message()).put("text", f.toString()));
        return node;
    }

    private ObjectNode config() {
        ObjectNode node = JSON.createObjectNode();
        ArrayNode objects = node.putArray("objects");
        for (Manifest manifest : mesh.inForce()) {
            objects.addObject().put("kind", manifest.kind()).put("name", manifest.name())
                    .put("namespace", manifest.body().path("metadata").path("namespace").asText("workshop"))
                    .put("file", manifest.file());
        }
        ApplyResult last = mesh.lastApply();
        if (last != null) {
            node.set("lastApply", applyResult(last));
        }
        return node;
    }

    /** The traffic document of a tick, as JSON text: made once per tick, whoever asks and however many stream it. */
    private record Rendered(long sequence, String json) {
    }

    private volatile Rendered rendered = new Rendered(-1, "");

    private String traffic(TrafficWindow.View view) throws IOException {
        Rendered last = rendered;
        if (last.sequence() != view.sequence()) {
            last = new Rendered(view.sequence(), JSON.writeValueAsString(
                    TrafficDocument.of(JSON, view, mesh.instances(), mesh.faulted(), mesh.kubelet().rows(), config())));
            rendered = last;
        }
        return last.json();
    }

    private void sendPage(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(200, page.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(page);
        }
    }

    /**
     * The traffic view as server-sent events: one {@code traffic} event at each tick of the window
     * (once a second), a comment line when none came for 15 s; until the client goes or the mesh stops.
     */
    private void stream(HttpExchange exchange) throws IOException {
        if (streams.incrementAndGet() > MAX_STREAMS) {
            streams.decrementAndGet();
            send(exchange, 503, error("at most " + MAX_STREAMS + " event streams at once; GET /traffic answers without one"));
            return;
        }
        try {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            TrafficWindow window = mesh.dataPlane().traffic();
            long seen = -1;
            while (true) {
                TrafficWindow.View view = window.next(seen, 15_000);
                String event;
                if (view.sequence() == seen) {
                    event = ": no tick for 15 s\n\n";
                } else {
                    seen = view.sequence();
                    event = "event: traffic\nid: " + seen + "\ndata: " + traffic(view) + "\n\n";
                }
                try {
                    out.write(event.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } catch (IOException gone) {
                    return; // the client went away
                }
            }
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt(); // the admin server stops
        } finally {
            streams.decrementAndGet();
            exchange.close();
        }
    }

    private ObjectNode stats() {
        ObjectNode node = JSON.createObjectNode();
        ArrayNode counters = node.putArray("counters");
        for (TrafficStats.Count count : mesh.dataPlane().stats().snapshot()) {
            counters.addObject().put("proxy", count.key().proxy()).put("cluster", count.key().cluster())
                    .put("endpoint", count.key().endpoint()).put("metric", count.key().metric()).put("value", count.value());
        }
        return node;
    }

    private ObjectNode instances() {
        ObjectNode node = JSON.createObjectNode();
        ArrayNode list = node.putArray("instances");
        for (Instance instance : mesh.instances()) {
            ObjectNode item = list.addObject().put("name", instance.name()).put("deployment", instance.workload().name())
                    .put("locality", instance.locality().toString()).put("zone", instance.locality().zone())
                    .put("port", instance.port()).put("sidecarPort", instance.sidecarPort());
            ObjectNode labels = item.putObject("labels");
            instance.labels().forEach(labels::put);
        }
        return node;
    }

    private static JsonNode read(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(16 * 1024 * 1024);
            if (body.length == 0) {
                throw new IllegalArgumentException("a JSON body is required");
            }
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalArgumentException("the body is not JSON: " + e.getMessage());
            }
        }
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        send(exchange, status, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body));
    }

    private static void send(HttpExchange exchange, int status, byte[] bytes) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
