package io.productapp.mesh.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.productapp.mesh.cli.DemoPorts;
import io.productapp.mesh.launch.Layout;
import io.productapp.mesh.launch.LocalMesh;
import io.productapp.mesh.proxy.TrafficWindow;
import io.productapp.mesh.scenario.ScenarioRun;

/**
 * The traffic view on a running mesh under a steady load of the page (50 requests/s through the
 * ingress): its JSON, its event stream, and the page itself in headless Chromium, where applying
 * {@code weight-based-routing} moves the split from about 50/50 towards 90/10 within seconds.
 *
 * <p>The browser test needs Debian's {@code chromium} and {@code chromium-driver}; without them it
 * is skipped, unless {@code PRODUCTAPP_REQUIRE_BROWSER} is set (CI sets it, and installs them).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrafficViewIT {

    static final Path ROOT = Path.of(System.getProperty("productapp.root", "..")).toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    static LocalMesh mesh;
    static AdminServer admin;
    static ScheduledExecutorService load;
    static final AtomicLong answered = new AtomicLong();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void startTheMeshUnderLoad() throws Exception {
        Layout.Ports ports = Layout.Ports.DEFAULT.withOffset(DemoPorts.freeOffset());
        mesh = LocalMesh.start(ROOT, new LocalMesh.Options(ports, 20261202L, ROOT.resolve("local-mesh/target/mesh-logs-view"),
                Duration.ofSeconds(120)), line -> { });
        admin = new AdminServer(mesh, ports.admin());
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThat(new ScenarioRun(mesh, quiet, quiet).apply(ROOT.resolve("istio/setup-mesh-resources"))).isTrue();
        HttpRequest page = HttpRequest.newBuilder(mesh.ingress()).timeout(Duration.ofSeconds(5)).build();
        load = Executors.newSingleThreadScheduledExecutor();
        load.scheduleAtFixedRate(() -> HTTP.sendAsync(page, HttpResponse.BodyHandlers.discarding())
                .thenAccept(r -> answered.incrementAndGet()), 0, 20, TimeUnit.MILLISECONDS);
    }

    @AfterAll
    static void stop() {
        if (load != null) {
            load.shutdownNow();
        }
        if (admin != null) {
            admin.close();
        }
        if (mesh != null) {
            mesh.close();
        }
    }

    private static URI admin(String path) {
        return URI.create("http://127.0.0.1:" + admin.port() + path);
    }

    private static JsonNode getJson(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(admin(path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        return JSON.readTree(response.body());
    }

    /** The page's four hops: ingress to frontend to productcatalog to each catalogdetail version. */
    private static final String[][] HOPS = { { "istio-ingressgateway", "frontend-0" }, { "frontend-0", "productcatalog-0" },
        { "productcatalog-0", "catalogdetail-0" }, { "productcatalog-0", "catalogdetail2-0" } };

    /** Calls to catalogdetail in the window before a split is judged: its band, 3.5 standard deviations, is then ±12 points. */
    static final int SPLIT_SAMPLE = 200;

    /** Pages the load offers per tick of the window (50 a second); a tick that answers fewer than 80 % of them is not steady. */
    private static final int STEADY_PAGES_PER_TICK = 40;

    /** Set once the window has held only steady traffic: the cold start's backlog is out of it for good. */
    private static boolean steady;

    /**
     * Waits for ticks of the window (one a second) until it holds steady traffic only, every hop
     * of the page has traffic in it, and it holds {@value #SPLIT_SAMPLE} calls to catalogdetail.
     *
     * <p>Steady: for a whole window and one tick more, every tick answered the pages the load
     * offers. Until then the window holds the cold start, when hundreds of pages wait on cold JVMs
     * (most of them past the load's 5-second timeout); under that backlog the default
     * LEAST_REQUEST balancer sends fewer calls to whichever catalogdetail warms up later, as
     * Envoy's does, and the split says how the JVMs warmed up, not how the mesh routes.
     */
    private static JsonNode documentWithEveryHop() throws Exception {
        TrafficWindow window = mesh.dataPlane().traffic();
        long seen = window.latest().sequence();
        long answeredBefore = answered.get();
        int steadyTicks = 0;
        JsonNode document = null;
        for (int tick = 0; tick < 90; tick++) {
            seen = window.next(seen, 5_000).sequence();
            long answeredNow = answered.get();
            steadyTicks = answeredNow - answeredBefore >= STEADY_PAGES_PER_TICK ? steadyTicks + 1 : 0;
            answeredBefore = answeredNow;
            steady |= steadyTicks > TrafficWindow.SLOTS;
            if (!steady) {
                continue;
            }
            document = getJson("/traffic");
            JsonNode current = document;
            if (java.util.Arrays.stream(HOPS).allMatch(hop -> edge(current, hop[0], hop[1], "served") != null)
                    && toCatalogdetail(current, "catalogdetail-0") + toCatalogdetail(current, "catalogdetail2-0") >= SPLIT_SAMPLE) {
                return document;
            }
        }
        throw new AssertionError("the window held no steady traffic through every hop after 90 ticks; " + answered.get()
                + " pages answered; steady: " + steady + "; the last document: " + document);
    }

    private static double toCatalogdetail(JsonNode document, String instance) {
        JsonNode edge = edge(document, "productcatalog-0", instance, "served");
        return edge == null ? 0 : edge.path("requests").asDouble();
    }

    /** Asserts that {@code share} of {@code n} calls is 50 %, within 3.5 standard deviations of a fair split. */
    private static void aboutHalf(String what, double share, double n) {
        assertThat(Math.abs(share - 0.5)).as("%s: %.3f of %.0f calls", what, share, n).isLessThanOrEqualTo(3.5 * Math.sqrt(0.25 / n));
    }

    private static JsonNode edge(JsonNode document, String source, String destination, String traffic) {
        for (JsonNode edge : document.path("edges")) {
            if (edge.path("source").asText().equals(source) && edge.path("destination").asText().equals(destination)
                    && edge.path("traffic").asText().equals(traffic)) {
                return edge;
            }
        }
        return null;
    }

    private static JsonNode node(JsonNode document, String id) {
        for (JsonNode node : document.path("nodes")) {
            if (node.path("id").asText().equals(id)) {
                return node;
            }
        }
        throw new AssertionError("no node " + id + " in " + document.path("nodes"));
    }

    @Test
    @Order(1)
    void theJsonHasEveryWorkloadWithItsZoneAndEveryEdgeOfThePage() throws Exception {
        JsonNode document = documentWithEveryHop();
        assertThat(document.path("schema").asText()).isEqualTo("productapp-traffic/1");
        assertThat(document.path("windowSeconds").asDouble()).isPositive().isLessThanOrEqualTo(TrafficWindow.SLOTS + 0.5);
        assertThat(node(document, "istio-ingressgateway").path("kind").asText()).isEqualTo("ingress");
        JsonNode v1 = node(document, "catalogdetail-0");
        assertThat(List.of(v1.path("app").asText(), v1.path("version").asText(), v1.path("zone").asText()))
                .containsExactly("catalogdetail", "v1", "us-west-2a");
        JsonNode v2 = node(document, "catalogdetail2-0");
        assertThat(List.of(v2.path("app").asText(), v2.path("version").asText(), v2.path("zone").asText()))
                .containsExactly("catalogdetail", "v2", "us-west-2b");
        for (String[] hop : HOPS) {
            JsonNode edge = edge(document, hop[0], hop[1], "served");
            assertThat(edge).as("%s -> %s in %s", hop[0], hop[1], document.path("edges")).isNotNull();
            assertThat(edge.path("perSecond").asDouble()).as("%s -> %s requests/s", hop[0], hop[1]).isPositive();
            assertThat(edge.path("errorShare").asDouble()).as("%s -> %s error share (no fault: none, bar a cold start)", hop[0], hop[1])
                    .isLessThan(0.05);
            assertThat(edge.path("p99Ms").asDouble()).isPositive().isGreaterThanOrEqualTo(edge.path("p50Ms").asDouble());
            assertThat(edge.path("flags").isObject()).isTrue();
        }
        double toV1 = toCatalogdetail(document, "catalogdetail-0");
        double toV2 = toCatalogdetail(document, "catalogdetail2-0");
        aboutHalf("setup-mesh-resources: v1's share", toV1 / (toV1 + toV2), toV1 + toV2);
        assertThat(document.path("config").path("objects").findValuesAsText("name")).contains("catalogdetail", "productapp");
    }

    @Test
    @Order(2)
    void theEventStreamSendsTheDocumentAtEveryTick() throws Exception {
        HttpResponse<Stream<String>> response = HTTP.send(HttpRequest.newBuilder(admin("/traffic/events")).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
        List<Long> ids = new ArrayList<>();
        try (Stream<String> lines = response.body()) {
            var it = lines.iterator();
            while (ids.size() < 2 && it.hasNext()) {
                String line = it.next();
                if (line.startsWith("id: ")) {
                    ids.add(Long.parseLong(line.substring(4)));
                } else if (line.startsWith("data: ")) {
                    assertThat(JSON.readTree(line.substring(6)).path("schema").asText()).isEqualTo("productapp-traffic/1");
                }
            }
        }
        assertThat(ids).hasSize(2);
        assertThat(ids.get(1)).isGreaterThan(ids.get(0));
    }

    @Test
    @Order(3)
    void thePageServesNoThirdPartyResource() throws Exception {
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(admin("/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).contains("<svg id=\"graph\"", "<table id=\"edges\"")
                .doesNotContainPattern("(src|href)\\s*=\\s*[\"']?(https?:)?//").doesNotContainPattern("url\\(\\s*[\"']?(https?:)?//")
                .doesNotContain("@import", "<link", "fetch(\"http", "EventSource(\"http");
    }

    @Test
    @Order(4)
    void inChromiumTheSplitMovesWhenWeightBasedRoutingIsApplied() throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (System.getenv("PRODUCTAPP_REQUIRE_BROWSER") != null) {
            assertThat(present).as("PRODUCTAPP_REQUIRE_BROWSER is set: %s and %s must exist", CHROMIUM, CHROMEDRIVER).isTrue();
        }
        assumeThat(present).as("apt-get install chromium chromium-driver to run the browser test").isTrue();
        documentWithEveryHop();
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1100",
                        "--no-first-run", "--disable-extensions");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        WebDriver browser = new ChromeDriver(service, options);
        try {
            browser.get(admin("/").toString());
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20), Duration.ofMillis(200));
            wait.until(b -> calls(b) >= SPLIT_SAMPLE);
            aboutHalf("v1's share of productcatalog -> catalogdetail before", share(browser, "v1"), calls(browser));
            assertThat(text(browser, "#graph g[data-node='catalogdetail2-0']")).contains("v2", "us-west-2b");

            PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
            assertThat(new AdminClient(admin.port()).apply(ROOT.resolve("istio/weight-based-routing"), quiet, quiet)).isZero();
            long applied = System.nanoTime();
            new WebDriverWait(browser, Duration.ofSeconds(10), Duration.ofMillis(200)).until(b -> share(b, "v1") >= 0.7);
            double seconds = (System.nanoTime() - applied) / 1e9;
            System.out.printf("traffic view: v1's share reached %.2f %.1f s after the apply%n", share(browser, "v1"), seconds);
            assertThat(text(browser, "#last-apply")).contains("applied", "weight-based-routing");

            // Under the 90/10 split for a whole window: what local-mesh/README.md shows.
            new WebDriverWait(browser, Duration.ofSeconds(20), Duration.ofMillis(500)).until(b -> share(b, "v1") >= 0.85);
            byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
            Files.write(ROOT.resolve("local-mesh/target/traffic-view.png"), png);
        } finally {
            browser.quit();
        }
    }

    /**
     * A version's share of the requests from productcatalog-0 to catalogdetail, as the page's table
     * shows them; read in one script, as the page redraws the table at every event.
     */
    private static double share(WebDriver browser, String version) {
        Object share = ((JavascriptExecutor) browser).executeScript("""
                const rows = [...document.querySelectorAll(
                    "#edges tbody tr[data-source='productcatalog-0'][data-app='catalogdetail'][data-traffic='served']")];
                const total = rows.reduce((sum, r) => sum + Number(r.dataset.requests), 0);
                const mine = rows.filter(r => r.dataset.version === arguments[0])
                    .reduce((sum, r) => sum + Number(r.dataset.requests), 0);
                return total === 0 ? 0 : mine / total;
                """, version);
        return ((Number) share).doubleValue();
    }

    /** The requests from productcatalog-0 to catalogdetail that the page's table shows. */
    private static double calls(WebDriver browser) {
        Object calls = ((JavascriptExecutor) browser).executeScript("""
                return [...document.querySelectorAll(
                    "#edges tbody tr[data-source='productcatalog-0'][data-app='catalogdetail'][data-traffic='served']")]
                    .reduce((sum, r) => sum + Number(r.dataset.requests), 0);
                """);
        return ((Number) calls).doubleValue();
    }

    private static String text(WebDriver browser, String selector) {
        return (String) ((JavascriptExecutor) browser).executeScript(
                "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';", selector);
    }
}
