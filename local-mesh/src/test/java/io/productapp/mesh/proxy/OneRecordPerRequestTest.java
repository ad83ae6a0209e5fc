package io.productapp.mesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.productapp.mesh.route.Endpoint;
import io.vertx.core.http.HttpServerRequest;

/**
 * One request, one record: for each response flag, requests that end with it through a real
 * sidecar, and the three sinks of the record — the counters, the access log and the traffic view
 * — agree on them exactly: as many requests, the same statuses, the same flags, each counted once.
 * Each case runs on a data plane of its own, so every sink holds that case's requests only.
 */
class OneRecordPerRequestTest {

    @TempDir
    static Path logs;

    static StandIns standIns;
    /** frontend's only instance: nobody listens on its port. */
    static Endpoint deadFrontend;

    @BeforeAll
    static void start() throws Exception {
        standIns = new StandIns();
        deadFrontend = standIns.dead("frontend-0", "frontend");
    }

    @AfterAll
    static void stop() throws Exception {
        standIns.close();
    }

    /** What a case sends through the productcatalog sidecar; requests held by the stand-ins arrive in {@code held}. */
    interface Driver {
        void send(HttpClient sidecar, Proxy proxy, BlockingQueue<HttpServerRequest> held) throws Exception;
    }

    /**
     * @param yaml applied over the chart and setup-mesh-resources
     * @param hold whether the catalogdetail stand-ins hold requests instead of answering
     * @param behaviour how the stand-ins answer otherwise (null: their JSON)
     * @param requests requests sent
     * @param tries tries the sidecar made for them (those after each request's first are its retries)
     * @param statuses status → requests answered with it (0: none)
     * @param flags flag → requests that carry it
     */
    record Case(String name, String yaml, boolean hold, java.util.function.Consumer<HttpServerRequest> behaviour, Driver driver,
            int requests, int tries, Map<Integer, Long> statuses, Map<ResponseFlag, Long> flags) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final Driver THREE_CALLS = (sidecar, proxy, held) -> {
        for (int i = 0; i < 3; i++) {
            StandIns.get(sidecar, StandIns.CATALOGDETAIL);
        }
    };

    static Stream<Arguments> cases() {
        String route = "route: [{destination: {host: catalogdetail, port: {number: 3000}}}]";
        return Stream.of(
                new Case("NR: no rule matches", StandIns.vs("- match: [{uri: {exact: /other}}]\n  " + route), false, null, THREE_CALLS,
                        3, 0, Map.of(404, 3L), Map.of(ResponseFlag.NR, 3L)),
                new Case("NC: the subset is not defined", StandIns.vs(
                        "- route: [{destination: {host: catalogdetail, port: {number: 3000}, subset: v3}}]"), false, null, THREE_CALLS,
                        3, 0, Map.of(503, 3L), Map.of(ResponseFlag.NC, 3L)),
                new Case("UH: the subset selects no endpoint", """
                        apiVersion: networking.istio.io/v1
                        kind: DestinationRule
                        metadata: {name: catalogdetail}
                        spec: {host: catalogdetail, subsets: [{name: v9, labels: {version: v9}}]}
                        ---
                        """ + StandIns.vs("- route: [{destination: {host: catalogdetail, port: {number: 3000}, subset: v9}}]"), false,
                        null, THREE_CALLS, 3, 0, Map.of(503, 3L), Map.of(ResponseFlag.UH, 3L)),
                new Case("UO: one request in flight at most", """
                        apiVersion: networking.istio.io/v1
                        kind: DestinationRule
                        metadata: {name: catalogdetail}
                        spec: {host: catalogdetail, trafficPolicy: {connectionPool: {http: {http2MaxRequests: 1}}}}
                        """, true, null, (sidecar, proxy, held) -> {
                            CompletableFuture<HttpResponse<String>> first = sidecar.sendAsync(
                                    HttpRequest.newBuilder(URI.create(StandIns.CATALOGDETAIL)).build(), HttpResponse.BodyHandlers.ofString());
                            HttpServerRequest inFlight = held.poll(10, TimeUnit.SECONDS);
                            assertThat(StandIns.get(sidecar, StandIns.CATALOGDETAIL).statusCode()).isEqualTo(503);
                            inFlight.response().end("{}");
                            assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
                        }, 2, 1, Map.of(200, 1L, 503, 1L), Map.of(ResponseFlag.UO, 1L)),
                new Case("UF: nobody listens; retried on connect failure until the retries run out", "", false, null,
                        (sidecar, proxy, held) -> StandIns.get(sidecar, "http://frontend:9000/"),
                        1, 3, Map.of(503, 1L), Map.of(ResponseFlag.UF, 1L, ResponseFlag.URX, 1L)),
                new Case("UC: the upstream closes the connection", "", false, r -> r.connection().close(), THREE_CALLS,
                        3, 3, Map.of(503, 3L), Map.of(ResponseFlag.UC, 3L)),
                new Case("UT: the route timeout runs out", StandIns.vs("- timeout: 200ms\n  " + route), true, null, THREE_CALLS,
                        3, 3, Map.of(504, 3L), Map.of(ResponseFlag.UT, 3L)),
                new Case("URX: every try answers 502", StandIns.vs("- retries: {attempts: 2, retryOn: 5xx}\n  " + route), false,
                        r -> r.response().setStatusCode(502).end("bad"), THREE_CALLS,
                        3, 9, Map.of(502, 3L), Map.of(ResponseFlag.URX, 3L)),
                new Case("DI: every request delayed", StandIns.vs(
                        "- fault: {delay: {fixedDelay: 5ms, percentage: {value: 100}}}\n  " + route), false, null, THREE_CALLS,
                        3, 3, Map.of(200, 3L), Map.of(ResponseFlag.DI, 3L)),
                new Case("FI: every request aborted", StandIns.vs(
                        "- fault: {abort: {httpStatus: 503, percentage: {value: 100}}}\n  " + route), false, null, THREE_CALLS,
                        3, 0, Map.of(503, 3L), Map.of(ResponseFlag.FI, 3L)),
                new Case("DI and FI: delayed, then aborted", StandIns.vs(
                        "- fault: {delay: {fixedDelay: 5ms, percentage: {value: 100}}, abort: {httpStatus: 500, percentage: {value: 100}}}\n  "
                                + route), false, null, THREE_CALLS,
                        3, 0, Map.of(500, 3L), Map.of(ResponseFlag.DI, 3L, ResponseFlag.FI, 3L)),
                new Case("DC: the caller goes away", "", true, null, (sidecar, proxy, held) -> {
                            try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
                                OutputStream out = socket.getOutputStream();
                                out.write(("GET " + StandIns.CATALOGDETAIL + " HTTP/1.1\r\nHost: catalogdetail:3000\r\n\r\n")
                                        .getBytes(StandardCharsets.ISO_8859_1));
                                out.flush();
                                assertThat(held.poll(10, TimeUnit.SECONDS)).isNotNull();
                            }
                        }, 1, 1, Map.of(0, 1L), Map.of(ResponseFlag.DC, 1L)))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theCountersTheAccessLogAndTheTrafficViewAgree(Case c) throws Exception {
        standIns.reset();
        BlockingQueue<HttpServerRequest> held = new LinkedBlockingQueue<>();
        for (String instance : List.of("catalogdetail-0", "catalogdetail2-0")) {
            if (c.hold()) {
                standIns.behaviour.put(instance, held::add);
            } else if (c.behaviour() != null) {
                standIns.behaviour.put(instance, c.behaviour());
            }
        }
        Path dir = Files.createTempDirectory(logs, "case");
        try (DataPlane plane = standIns.plane(dir, 7, deadFrontend)) {
            if (!c.yaml().isEmpty()) {
                plane.configure(standIns.with(c.yaml()));
            }
            Proxy sidecar = plane.start(standIns.sidecar("productcatalog"), 0);
            c.driver().send(StandIns.via(sidecar), sidecar, held);
            assertThat(plane.awaitIdle(Duration.ofSeconds(10))).as("every request ended").isTrue();

            // The counters.
            Map<String, Long> counters = new TreeMap<>();
            plane.stats().snapshot().stream().filter(count -> count.key().proxy().equals("sidecar productcatalog-0"))
                    .forEach(count -> counters.merge(count.key().metric(), count.value(), Long::sum));
            assertThat(counters.getOrDefault("requests", 0L)).as("requests counted").isEqualTo(c.requests());
            assertThat(counters.getOrDefault("tries", 0L)).as("tries counted").isEqualTo(c.tries());
            assertThat(counters.getOrDefault("retries", 0L)).as("retries counted").isEqualTo(c.tries() - Math.min(c.tries(), c.requests()));
            assertThat(flags(counters, "flag ")).as("flags counted").isEqualTo(c.flags());
            Map<String, Long> classes = new TreeMap<>();
            c.statuses().forEach((status, n) -> classes.merge(status == 0 ? "no answer" : status / 100 + "xx", n, Long::sum));
            assertThat(counters).as("answers counted").containsAllEntriesOf(classes);

            // The access log: one line per request.
            sidecar.accessLog().flush();
            List<String> lines = Files.readAllLines(sidecar.accessLog().file());
            assertThat(lines).as("access log lines").hasSize(c.requests());
            Map<Integer, Long> loggedStatuses = new TreeMap<>();
            Map<ResponseFlag, Long> loggedFlags = new EnumMap<>(ResponseFlag.class);
            Pattern line = Pattern.compile("^\\[[^\\]]+\\] \"[^\"]*\" (\\d+) (\\S+) ");
            for (String text : lines) {
                Matcher m = line.matcher(text);
                assertThat(m.find()).as(text).isTrue();
                loggedStatuses.merge(Integer.parseInt(m.group(1)), 1L, Long::sum);
                if (!m.group(2).equals("-")) {
                    for (String flag : m.group(2).split(",")) {
                        loggedFlags.merge(ResponseFlag.valueOf(flag), 1L, Long::sum);
                    }
                }
            }
            assertThat(loggedStatuses).as("statuses logged").isEqualTo(c.statuses());
            assertThat(loggedFlags).as("flags logged").isEqualTo(c.flags());

            // The traffic view: the sidecar's edges over the window.
            TrafficWindow.View view = plane.traffic().tick();
            List<TrafficWindow.EdgeView> edges = view.edges().stream().filter(e -> e.key().source().equals("productcatalog-0")
                    && e.key().traffic() == TrafficWindow.Traffic.SERVED).toList();
            assertThat(edges.stream().mapToLong(TrafficWindow.EdgeView::requests).sum()).as("requests on the view").isEqualTo(c.requests());
            Map<String, Long> viewFlags = new TreeMap<>();
            edges.forEach(e -> e.flags().forEach((flag, n) -> viewFlags.merge(flag, n, Long::sum)));
            assertThat(flags(viewFlags, "")).as("flags on the view").isEqualTo(c.flags());
            long errors = c.statuses().entrySet().stream().filter(e -> e.getKey() == 0 || e.getKey() >= 500).mapToLong(Map.Entry::getValue).sum();
            assertThat(edges.stream().mapToLong(TrafficWindow.EdgeView::errors).sum()).as("errors on the view").isEqualTo(errors);
            assertThat(edges.stream().mapToLong(TrafficWindow.EdgeView::retries).sum()).as("retries on the view")
                    .isEqualTo(c.tries() - Math.min(c.tries(), c.requests()));
        }
    }

    /** The entries of {@code byName} that name a flag ({@code prefix} then the flag), by flag. */
    private static Map<ResponseFlag, Long> flags(Map<String, Long> byName, String prefix) {
        Map<ResponseFlag, Long> flags = new EnumMap<>(ResponseFlag.class);
        byName.forEach((name, n) -> {
            if (name.startsWith(prefix) && n > 0) {
                flags.put(ResponseFlag.valueOf(name.substring(prefix.length())), n);
            }
        });
        return flags;
    }
}
