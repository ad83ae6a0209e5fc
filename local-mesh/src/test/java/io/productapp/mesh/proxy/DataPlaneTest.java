package io.productapp.mesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.productapp.mesh.model.MeshConfig;
import io.vertx.core.http.HttpServerRequest;

/**
 * The data plane on real sockets, with stand-ins for the services ({@link StandIns}). Requests go
 * through a sidecar as the services' REST clients send them (absolute form, through the HTTP
 * proxy setting), or through the ingress gateway.
 */
class DataPlaneTest {

    static final Path ROOT = StandIns.ROOT;

    @TempDir
    static Path logs;

    static StandIns standIns;
    static Map<String, Consumer<HttpServerRequest>> BEHAVIOUR;
    static Collection<String> RECEIVED;
    static MeshConfig base;
    static DataPlane plane;
    static Proxy productcatalogSidecar;
    static Proxy frontendSidecar;
    static Proxy ingress;
    static HttpClient viaProductcatalog;
    static HttpClient viaFrontend;
    static final HttpClient direct = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        standIns = new StandIns();
        BEHAVIOUR = standIns.behaviour;
        RECEIVED = standIns.received;
        base = standIns.base;
        plane = standIns.plane(logs, 42);
        productcatalogSidecar = plane.start(standIns.sidecar("productcatalog"), 0);
        frontendSidecar = plane.start(standIns.sidecar("frontend"), 0);
        ingress = plane.start(StandIns.ingress(), 0);
        viaProductcatalog = StandIns.via(productcatalogSidecar);
        viaFrontend = StandIns.via(frontendSidecar);
    }

    @AfterAll
    static void stop() throws Exception {
        plane.close();
        standIns.close();
    }

    @BeforeEach
    void reset() {
        standIns.reset();
        plane.configure(base);
    }

    static void apply(String yaml) {
        plane.configure(standIns.with(yaml));
    }

    static HttpResponse<String> get(HttpClient client, String url, String... headers) throws Exception {
        return StandIns.get(client, url, headers);
    }

    static String vs(String rules) {
        return StandIns.vs(rules);
    }

    static HttpResponse<String> catalogDetail(String... headers) throws Exception {
        return get(viaProductcatalog, StandIns.CATALOGDETAIL, headers);
    }

    static String accessLog(Proxy proxy) throws IOException {
        proxy.accessLog().flush();
        return Files.readString(proxy.accessLog().file());
    }

    // ---- the proxies' threads ----------------------------------------------------------------------

    @ParameterizedTest(name = "{0} core(s): {1} event loop(s)")
    @CsvSource({ "1, 1", "2, 1", "3, 1", "4, 2", "8, 4", "64, 32" })
    void theProxiesShareHalfTheCoresAndAtLeastOneLoop(int cores, int loops) {
        assertThat(DataPlane.eventLoopsFor(cores)).isEqualTo(loops);
    }

    @Test
    void eachProxyRunsOnTheEventLoopServingTheFewestProxiesWhenItStarts() throws Exception {
        // Started from one thread (as the kubelet starts every sidecar): productcatalog's on loop 0,
        // frontend's on loop 1, the ingress on loop 0 again; each runs on the thread of its loop.
        List<Proxy> started = List.of(productcatalogSidecar, frontendSidecar, ingress);
        assertThat(started).extracting(Proxy::eventLoop).containsExactly(0, 1, 0);
        assertThat(threadOf(productcatalogSidecar)).isEqualTo(threadOf(ingress)).isNotEqualTo(threadOf(frontendSidecar));
        Proxy fourth = plane.start(standIns.sidecar("catalogdetail"), 0);
        assertThat(fourth.eventLoop()).as("loop 1 served one proxy, loop 0 two").isEqualTo(1);
        assertThat(threadOf(fourth)).isEqualTo(threadOf(frontendSidecar));
        plane.stop(fourth);
        Proxy fifth = plane.start(standIns.sidecar("catalogdetail"), 0);
        assertThat(fifth.eventLoop()).as("the stopped proxy's place is free again").isEqualTo(1);
        plane.stop(fifth);
    }

    /** The thread a proxy's context runs its tasks on. */
    static Thread threadOf(Proxy proxy) throws Exception {
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        proxy.context().runOnContext(v -> thread.complete(Thread.currentThread()));
        return thread.get(5, TimeUnit.SECONDS);
    }

    // ---- routing over sockets -------------------------------------------------------------------

    @Test
    void weightsSplitTheRequestsAt9010() throws Exception {
        apply(Files.readString(ROOT.resolve("istio/weight-based-routing/virtual-service-catalogdetail-90-10.yaml")));
        int v1 = 0;
        for (int i = 0; i < 1000; i++) {
            v1 += catalogDetail().body().contains("\"1\"") ? 1 : 0;
        }
        StandIns.assertShare("v1", v1, 1000, 90);
    }

    @Test
    void anHttp2ClientIsRoutedByItsAuthorityAsAnHttp11OneIsByItsHost() throws Exception {
        // h2c upgrade on the first request, then HTTP/2 with :authority and no Host header; both reach the
        // route to frontend (no stand-in: no endpoint, 503 UH), not a 400 for a missing host.
        HttpClient http2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> answer = http2.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingress.port() + "/"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
            assertThat(answer.body()).isEqualTo("no healthy upstream");
        }
    }

    @Test
    void aRewriteSendsTheNewPathAndKeepsTheOriginalInAHeader() throws Exception {
        apply(Files.readString(ROOT.resolve("istio/path-based-routing/virtual-service-catalogdetail-path.yaml")));
        HttpResponse<String> answer = get(viaProductcatalog, "http://catalogdetail:3000/v2/catalogDetail?x=1");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(RECEIVED).containsExactly("catalogdetail2-0 GET /catalogDetail?x=1 /v2/catalogDetail?x=1");
        assertThat(answer.headers().firstValue("x-envoy-upstream-service-time")).isPresent();
    }

    @Test
    void anUndefinedSubsetIs503NC() throws Exception {
        apply(vs("- route: [{destination: {host: catalogdetail, port: {number: 3000}, subset: v3}}]"));
        HttpResponse<String> answer = catalogDetail();
        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.body()).isEmpty();
        assertThat(RECEIVED).isEmpty();
        assertThat(accessLog(productcatalogSidecar)).contains("\" 503 NC cluster_not_found ");
    }

    @Test
    void noMatchingRuleIs404NR() throws Exception {
        apply(vs("- match: [{uri: {exact: /other}}]\n  route: [{destination: {host: catalogdetail, port: {number: 3000}}}]"));
        assertThat(catalogDetail().statusCode()).isEqualTo(404);
        assertThat(accessLog(productcatalogSidecar)).contains("\" 404 NR route_not_found ");
    }

    @Test
    void anUnknownHostIs502() throws Exception {
        HttpResponse<String> answer = get(viaProductcatalog, "http://reviews:9080/");
        assertThat(answer.statusCode()).isEqualTo(502);
        assertThat(answer.body()).contains("no Service is known by the host reviews");
    }

    @Test
    void requestsForMadeUpHostsShareOneNodeOnTheTrafficView() throws Exception {
        // One edge per host would keep an edge (and its histograms) for every made-up host for good.
        for (int i = 0; i < 50; i++) {
            assertThat(get(viaProductcatalog, "http://made-up-" + i + ".example/").statusCode()).isEqualTo(502);
        }
        List<String> destinations = plane.traffic().tick().edges().stream()
                .filter(e -> e.key().source().equals("productcatalog-0")).map(e -> e.key().destination()).toList();
        assertThat(destinations).contains("service:unknown").noneMatch(d -> d.startsWith("service:made-up"));
    }

    @Test
    void theIngressRoutesThePageToFrontend() throws Exception {
        // The chart's productapp VirtualService sends / to frontend, which has no stand-in: no endpoint, 503 UH.
        HttpResponse<String> answer = get(direct, "http://127.0.0.1:" + ingress.port() + "/");
        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.body()).isEqualTo("no healthy upstream");
        assertThat(accessLog(ingress)).contains("outbound|9000||frontend.workshop.svc.cluster.local");
    }

    // ---- faults, timeouts, retries -----------------------------------------------------------------

    @Test
    void anAbortAnswersTheStatusWithoutReachingTheUpstream() throws Exception {
        apply(vs("- fault: {abort: {httpStatus: 500, percentage: {value: 100}}}\n  route: [{destination: {host: catalogdetail, port: {number: 3000}}}]"));
        HttpResponse<String> answer = catalogDetail();
        assertThat(answer.statusCode()).isEqualTo(500);
        assertThat(answer.body()).isEqualTo("fault filter abort");
        assertThat(RECEIVED).isEmpty();
        assertThat(accessLog(productcatalogSidecar)).contains("\" 500 FI fault_filter_abort ");
    }

    @Test
    void aDelayHoldsTheRequestThenSendsIt() throws Exception {
        apply(vs("- fault: {delay: {fixedDelay: 300ms, percentage: {value: 100}}}\n  route: [{destination: {host: catalogdetail, port: {number: 3000}}}]"));
        long start = System.nanoTime();
        assertThat(catalogDetail().statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(accessLog(productcatalogSidecar)).contains("\" 200 DI via_upstream ");
    }

    @Test
    void theRouteTimeoutAnswers504UT() throws Exception {
        BEHAVIOUR.put("productcatalog-0", r -> { }); // never answers
        apply(Files.readString(ROOT.resolve("istio/timeouts/virtual-service-productcatalog-timeout.yaml")).replace("2s", "400ms"));
        long start = System.nanoTime();
        HttpResponse<String> answer = get(viaFrontend, "http://productcatalog:5000/products/");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(answer.statusCode()).isEqualTo(504);
        assertThat(answer.body()).isEqualTo("upstream request timeout");
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(400)); // the stand-in never answers: the answer is the timeout's
        assertThat(accessLog(frontendSidecar)).contains("\" 504 UT upstream_response_timeout ");
    }

    @Test
    void retriesOn5xxUntilAnAnswerComes() throws Exception {
        List<Integer> statuses = new CopyOnWriteArrayList<>(List.of(503, 500, 200));
        BEHAVIOUR.put("productcatalog-0", r -> r.response().setStatusCode(statuses.remove(0)).end("{}"));
        apply(Files.readString(ROOT.resolve("istio/retries/virtual-service-productcatalog-retries.yaml")));
        HttpResponse<String> answer = get(viaFrontend, "http://productcatalog:5000/products/");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(RECEIVED).hasSize(3);
    }

    @Test
    void retriesRunOutWithTheLastAnswerAndFlagURX() throws Exception {
        BEHAVIOUR.put("productcatalog-0", r -> r.response().setStatusCode(502).end("bad"));
        apply(Files.readString(ROOT.resolve("istio/retries/virtual-service-productcatalog-retries.yaml")));
        HttpResponse<String> answer = get(viaFrontend, "http://productcatalog:5000/products/");
        assertThat(answer.statusCode()).isEqualTo(502);
        assertThat(RECEIVED).hasSize(3);
        assertThat(accessLog(frontendSidecar)).contains("\" 502 URX via_upstream ");
    }

    @Test
    void istiosDefaultRetriesLeaveA500Alone() throws Exception {
        BEHAVIOUR.put("productcatalog-0", r -> r.response().setStatusCode(500).end("\"Error\""));
        assertThat(get(viaFrontend, "http://productcatalog:5000/products/").statusCode()).isEqualTo(500);
        assertThat(RECEIVED).hasSize(1);
    }

    @Test
    void aPerTryTimeoutIsRetriedUnder5xx() throws Exception {
        List<Boolean> stall = new CopyOnWriteArrayList<>(List.of(true, false));
        BEHAVIOUR.put("productcatalog-0", r -> {
            if (!stall.remove(0)) {
                r.response().end("{}");
            }
        });
        apply(Files.readString(ROOT.resolve("istio/retries/virtual-service-productcatalog-retries.yaml")).replace("2s", "300ms"));
        assertThat(get(viaFrontend, "http://productcatalog:5000/products/").statusCode()).isEqualTo(200);
        assertThat(RECEIVED).hasSize(2);
    }

    // ---- what crosses a hop ---------------------------------------------------------------------------

    @Test
    void hopByHopHeadersStopAtTheProxyInBothDirectionsInAnyCaseAndTheRestPass() throws Exception {
        List<String> upstreamGot = new CopyOnWriteArrayList<>();
        BEHAVIOUR.put("productcatalog-0", r -> {
            r.headers().forEach(header -> upstreamGot.add(header.getKey().toLowerCase(java.util.Locale.ROOT) + ": " + header.getValue()));
            r.response().putHeader("Keep-Alive", "timeout=9").putHeader("PROXY-AUTHENTICATE", "Basic").putHeader("trailer", "x-sum")
                    .putHeader("Upgrade", "h9").putHeader("X-Answer", "kept").end("{}");
        });
        String answer = exchange(frontendSidecar, "GET http://productcatalog:5000/products HTTP/1.1\r\nHost: productcatalog:5000\r\n"
                + "KEEP-ALIVE: timeout=5\r\nProxy-Authorization: Basic eA==\r\nproxy-connection: keep-alive\r\nTe: trailers\r\n"
                + "X-Custom: kept\r\nConnection: close\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 200 ");
        assertThat(upstreamGot).contains("x-custom: kept", "host: productcatalog:5000");
        for (String name : List.of("keep-alive", "proxy-authorization", "proxy-connection", "te", "connection")) {
            assertThat(upstreamGot).as("request header %s", name).noneMatch(header -> header.startsWith(name + ": "));
        }
        String head = answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase(java.util.Locale.ROOT);
        assertThat(head).contains("\r\nx-answer: kept");
        for (String name : List.of("keep-alive", "proxy-authenticate", "trailer", "upgrade")) {
            assertThat(head).as("answer header %s", name).doesNotContain("\r\n" + name + ":");
        }
    }

    // ---- circuit breaking, outlier detection, locality -----------------------------------------------

    @Test
    void overTheConnectionPoolRequestsOverflowWith503UO() throws Exception {
        java.util.concurrent.BlockingQueue<HttpServerRequest> held = new java.util.concurrent.LinkedBlockingQueue<>();
        BEHAVIOUR.put("catalogdetail-0", held::add);
        BEHAVIOUR.put("catalogdetail2-0", held::add);
        apply(Files.readString(ROOT.resolve("istio/circuit-breaking/destination-rule-catalogdetail-circuit-breaker.yaml")));
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            answers.add(viaProductcatalog.sendAsync(HttpRequest.newBuilder(URI.create("http://catalogdetail:3000/catalogDetail"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        // One in flight, one waiting, the third overflows at once.
        HttpResponse<String> overflow = CompletableFuture.anyOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(HttpResponse.class::cast).get(5, TimeUnit.SECONDS);
        assertThat(overflow.statusCode()).isEqualTo(503);
        assertThat(overflow.body()).contains("reset reason: overflow");
        assertThat(overflow.headers().firstValue("x-envoy-overloaded")).contains("true");
        HttpServerRequest first = held.poll(5, TimeUnit.SECONDS);
        assertThat(held).isEmpty();
        first.response().end("{}");
        // The waiting request goes out once the connection is free.
        held.poll(5, TimeUnit.SECONDS).response().end("{}");
        assertThat(answers.stream().map(CompletableFuture::join).map(HttpResponse::statusCode).sorted().toList())
                .containsExactly(200, 200, 503);
        assertThat(accessLog(productcatalogSidecar)).contains("\" 503 UO ");
    }

    @Test
    void localityKeepsCallsInTheZoneAndFailsOverWhenItsEndpointIsEjected() throws Exception {
        apply(Files.readString(ROOT.resolve("istio/locality-load-balancing/destination-rule-catalogdetail-locality.yaml")));
        for (int i = 0; i < 20; i++) {
            assertThat(catalogDetail().body()).as("zone us-west-2a: v1").contains("\"1\"");
        }
        BEHAVIOUR.put("catalogdetail-0", r -> r.response().setStatusCode(500).end("\"Error\""));
        assertThat(catalogDetail().statusCode()).as("the 5xx that ejects it").isEqualTo(500);
        for (int i = 0; i < 20; i++) {
            assertThat(catalogDetail().body()).as("failed over to us-west-2b").contains("\"2\"");
        }
        assertThat(plane.stats().total("catalogdetail-0", "ejections")).isEqualTo(1);
    }

    // ---- mirroring and Lua --------------------------------------------------------------------------

    @Test
    void aMirrorCopiesItsShareAndAFailingMirrorIsInvisible() throws Exception {
        BEHAVIOUR.put("catalogdetail2-0", r -> r.response().setStatusCode(500).end("\"Error\""));
        apply(Files.readString(ROOT.resolve("istio/traffic-mirroring/virtual-service-catalogdetail-mirror.yaml")));
        long mirroredBefore = plane.stats().total("catalogdetail2-0", "mirrored");
        for (int i = 0; i < 400; i++) {
            HttpResponse<String> answer = catalogDetail();
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).contains("\"1\"");
        }
        assertThat(plane.awaitIdle(Duration.ofSeconds(10))).as("copies are fire-and-forget: the last may still be on its way").isTrue();
        long mirrored = plane.stats().total("catalogdetail2-0", "mirrored") - mirroredBefore;
        StandIns.assertShare("mirrored", mirrored, 400, 50);
        assertThat(RECEIVED.stream().filter(r -> r.startsWith("catalogdetail2-0")).count()).isEqualTo(mirrored);
    }

    @Test
    void aMirrorOfARouteWhoseTimeoutIsZeroWaitsForItsAnswer() throws Exception {
        // timeout: 0s disables the route's timeout; the copies then wait for v2's answer, 50 ms late.
        List<Boolean> answered = new CopyOnWriteArrayList<>();
        BEHAVIOUR.put("catalogdetail2-0", r -> io.vertx.core.Vertx.currentContext().owner().setTimer(50,
                t -> r.response().end("{}").onComplete(written -> answered.add(written.succeeded()))));
        apply(Files.readString(ROOT.resolve("istio/traffic-mirroring/virtual-service-catalogdetail-mirror.yaml"))
                .replace("    - route:", "    - timeout: 0s\n      route:"));
        for (int i = 0; i < 40; i++) {
            assertThat(catalogDetail().statusCode()).isEqualTo(200);
        }
        assertThat(plane.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(answered).as("v2's answers, each written to a copy still waiting for it").isNotEmpty().containsOnly(true);
    }

    @Test
    void theLuaFilterTagsCallsAndTheRouteFollowsTheTag() throws Exception {
        String folder = "istio/header-based-routing/";
        apply(Files.readString(ROOT.resolve(folder + "virtual-service-catalogdetail-header.yaml")) + "\n---\n"
                + Files.readString(ROOT.resolve(folder + "envoy-filter-productcatalog-user-type.yaml")));
        int v2 = 0;
        for (int i = 0; i < 1000; i++) {
            v2 += catalogDetail().body().contains("\"2\"") ? 1 : 0;
        }
        StandIns.assertShare("v2", v2, 1000, 30);
        for (int i = 0; i < 20; i++) {
            assertThat(catalogDetail("user-type", "internal").body()).contains("\"2\"");
        }
        // The filter selects productcatalog's workload only: frontend's calls are not tagged.
        BEHAVIOUR.put("productcatalog-0", r -> r.response().end(String.valueOf(r.headers().get("user-type"))));
        assertThat(get(viaFrontend, "http://productcatalog:5000/products/").body()).isEqualTo("null");
    }

    // ---- what no request can do ----------------------------------------------------------------------

    @Test
    void malformedAndOversizedRequestsGetAnHttpErrorAndTheProxyKeepsServing() throws Exception {
        assertThat(raw("GARBAGE\r\n\r\n")).matches("HTTP/1\\.[01] 400");
        assertThat(raw("GET http://catalogdetail:3000/catalogDetail HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(100_000)
                + "\r\n\r\n")).matches("HTTP/1\\.[01] 431");
        assertThat(raw("CONNECT catalogdetail:443 HTTP/1.1\r\nHost: catalogdetail:443\r\n\r\n")).isEqualTo("HTTP/1.1 403");
        assertThat(raw("GET ftp://catalogdetail/x HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo("HTTP/1.1 400");
        assertThat(raw("GET /catalogDetail HTTP/1.0\r\n\r\n")).as("no Host").matches("HTTP/1\\.[01] 400");
        assertThat(catalogDetail().statusCode()).isEqualTo(200);
    }

    // Each case below was found by ProxyFuzzIT: what follows a request the proxy refuses must never be
    // read as a request, so the connection closes after the answer, as Envoy's codec errors do.

    @Test
    void aTransferEncodingOtherThanChunkedIs501AndTheBodyIsNeverReadAsARequest() throws Exception {
        String hidden = "GET http://catalogdetail:3000/hidden HTTP/1.1\r\nHost: catalogdetail:3000\r\n\r\n";
        for (String coding : List.of("gzip", "identity", "xchunked", "chunked, chunked", "chunked\r\nTransfer-Encoding: chunked")) {
            String answer = exchange(productcatalogSidecar, "POST http://catalogdetail:3000/catalogDetail HTTP/1.1\r\nHost: catalogdetail\r\n"
                    + "Transfer-Encoding: " + coding + "\r\n\r\n" + hidden);
            assertThat(answer).as(coding).startsWith("HTTP/1.1 501 ").contains("connection: close").doesNotContain("(open)");
            assertThat(answer.split("HTTP/1\\.1 ", -1)).as("one answer: " + answer).hasSize(2);
        }
        assertThat(RECEIVED).isEmpty();
        assertThat(accessLog(productcatalogSidecar)).contains("\" 501 - http1.invalid_transfer_encoding ");
    }

    @Test
    void connectIs403AndWhatFollowsItIsNeverReadAsARequest() throws Exception {
        for (Proxy proxy : List.of(productcatalogSidecar, ingress)) {
            String answer = exchange(proxy, "CONNECT catalogdetail:3000 HTTP/1.1\r\nHost: catalogdetail:3000\r\n\r\n"
                    + "GET http://catalogdetail:3000/hidden HTTP/1.1\r\nHost: catalogdetail:3000\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 403 ").doesNotContain("(open)");
            assertThat(answer.split("HTTP/1\\.1 ", -1)).as("one answer: " + answer).hasSize(2);
        }
        assertThat(RECEIVED).isEmpty();
        assertThat(accessLog(ingress)).contains("\" 403 - upgrade_failed ");
    }

    @Test
    void moreThan100HeadersAre431FromTheProxyItself() throws Exception {
        String head = "GET http://catalogdetail:3000/catalogDetail HTTP/1.1\r\nHost: catalogdetail\r\n";
        StringBuilder headers = new StringBuilder();
        for (int i = 0; i < 98; i++) {
            headers.append("x-h: ").append(i).append("\r\n");
        }
        assertThat(exchange(productcatalogSidecar, head + headers + "Connection: close\r\n\r\n")).as("100 headers").startsWith("HTTP/1.1 200 ");
        String answer = exchange(productcatalogSidecar, head + headers + "x-h: 98\r\nx-h: 99\r\n\r\n");
        assertThat(answer).as("101 headers").startsWith("HTTP/1.1 431 ").doesNotContain("x-envoy-upstream-service-time").doesNotContain("(open)");
        assertThat(RECEIVED).hasSize(1);
    }

    @Test
    void anInvalidOrRepeatedHostOrAuthorityIs400() throws Exception {
        for (String request : List.of("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", "GET / HTTP/1.1\r\nHost: a,b\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: frontend\r\nHost: evil.example\r\n\r\n", "GET / HTTP/1.1\r\nHost: frontend:99999\r\n\r\n",
                "GET http://frontend:9000/ HTTP/1.1\r\nHost: frontend\r\nHost: frontend\r\n\r\n")) {
            assertThat(exchange(ingress, request)).as(request).startsWith("HTTP/1.1 400 ").doesNotContain("(open)");
        }
        for (String authority : List.of("catalogdetail:99999", "catalogdetail:-1", "catalogdetail:", "catalogdetail:3000:1", "[]", "[::1",
                "user@catalogdetail")) {
            assertThat(exchange(productcatalogSidecar, "GET http://" + authority + "/catalogDetail HTTP/1.1\r\nHost: x\r\n\r\n"))
                    .as(authority).startsWith("HTTP/1.1 400 ").doesNotContain("(open)");
        }
        assertThat(RECEIVED).isEmpty();
    }

    @Test
    void aHeaderWithNoNameIs400() throws Exception {
        assertThat(exchange(productcatalogSidecar, "GET http://catalogdetail:3000/catalogDetail HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n"))
                .startsWith("HTTP/1.1 400 ").doesNotContain("(open)");
        assertThat(RECEIVED).isEmpty();
    }

    @Test
    void aTargetWithControlOrNonAsciiCharactersIs400() throws Exception {
        for (String target : List.of("/a\u0000b", "/a\u0001b", "/a\u007fb", "/caf\u00e9")) {
            assertThat(exchange(productcatalogSidecar, "GET http://catalogdetail:3000" + target + " HTTP/1.1\r\nHost: x\r\n\r\n"))
                    .as(target).startsWith("HTTP/1.1 400 ").doesNotContain("(open)");
        }
        assertThat(RECEIVED).isEmpty();
    }

    @Test
    void aBodyOverTheLimitIs413AndTheConnectionCloses() throws Exception {
        String answer = exchange(productcatalogSidecar, "POST http://catalogdetail:3000/catalogDetail HTTP/1.1\r\nHost: x\r\n"
                + "Content-Length: " + (Downstream.MAX_REQUEST_BODY + 1) + "\r\n\r\nabc");
        assertThat(answer).startsWith("HTTP/1.1 413 ").doesNotContain("(open)");
        assertThat(RECEIVED).isEmpty();
    }

    /**
     * Sends raw bytes to {@code proxy}; returns all it answered until it closed the connection, with
     * " (open)" at the end when it had not within 5 s.
     */
    static String exchange(Proxy proxy, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n = socket.getInputStream().read(buffer); n >= 0; n = socket.getInputStream().read(buffer)) {
                    answer.write(buffer, 0, n);
                }
            } catch (java.net.SocketTimeoutException e) {
                return answer.toString(StandardCharsets.ISO_8859_1) + " (open)";
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** Sends raw bytes to the productcatalog sidecar; returns what it answered. */
    static String raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", productcatalogSidecar.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = in.readNBytes(12);
            return new String(head, StandardCharsets.ISO_8859_1);
        }
    }
}
