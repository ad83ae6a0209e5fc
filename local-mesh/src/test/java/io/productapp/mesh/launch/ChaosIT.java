package io.productapp.mesh.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.productapp.mesh.cli.DemoPorts;
import io.productapp.mesh.config.Sources;
import io.productapp.mesh.launch.LocalMesh.ApplyResult;
import io.productapp.mesh.proxy.TrafficStats;

/**
 * Chaos under a steady load of the page through the ingress: scenario folders applied and the base
 * configuration put back, a broken folder refused, a route fault (Istio's abort) and an
 * application fault (catalogdetail's /injectFault) injected and reset, and a pod SIGKILLed and
 * restarted by the kubelet. Each page carries its own {@code x-request-id}, so every line the
 * proxies logged for it can be found. Every page that failed must be explained by what was in
 * force when its proxies handled it: an FI flag while the route fault was applied, a 500 from the
 * faulted pod while its fault was injected, a failed try to the killed pod between its SIGKILL and
 * its Ready. A configuration change alone loses no page. The counters agree with the access logs,
 * proxy by proxy: requests, answers by class and flags.
 */
class ChaosIT {

    static final Path ROOT = Path.of(System.getProperty("productapp.root", "..")).toAbsolutePath().normalize();
    /** Pages per second: steady, well within what the two cores serve. */
    static final int RATE = 40;
    /**
     * Around each change: the access log's start times are the proxies' clock, read a little before
     * or after ours; and a page sent just before a fault begins is still on its way through the
     * hops when it does, so the quiet spans end this much before the next fault.
     */
    static final long SLACK_MILLIS = 1_000;
    static final String KILLED = "catalogdetail-0";
    static final String FAULTED = "catalogdetail2-0";

    /** A page: its request id, when it was sent, and the status (0: no answer). */
    record Page(String id, long sentMillis, int status) {
        boolean failed() {
            return status / 100 != 2;
        }
    }

    /** What was in force from {@code from} to {@code to}, and the log lines it explains. */
    record Window(String cause, long from, long to, Predicate<Line> rule) {
        boolean explains(Line line) {
            return line.startMillis() >= from - SLACK_MILLIS && line.startMillis() <= to + SLACK_MILLIS && rule.test(line);
        }
    }

    /** One access-log line: the proxy that wrote it and the fields this test reads. */
    record Line(String proxy, long startMillis, int status, Set<String> flags, String requestId, String upstream) {
        static final Pattern FORMAT = Pattern.compile(
                "^\\[([^\\]]+)\\] \"[^\"]*\" (\\d+) (\\S+) .*? \"[^\"]*\" \"[^\"]*\" \"([^\"]*)\" \"[^\"]*\" \"([^\"]*)\" ");

        static Line parse(String proxy, String text) {
            Matcher m = FORMAT.matcher(text);
            assertThat(m.find()).as("an access-log line of %s: %s", proxy, text).isTrue();
            Set<String> flags = m.group(3).equals("-") ? Set.of() : Set.of(m.group(3).split(","));
            return new Line(proxy, Instant.parse(m.group(1)).toEpochMilli(), Integer.parseInt(m.group(2)), flags, m.group(4),
                    m.group(5));
        }

        boolean failed() {
            return status / 100 != 2;
        }
    }

    /** {@value #RATE} pages/s through the ingress, each with its own x-request-id, until {@link #stop}. */
    static final class Load implements AutoCloseable {
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        private final Queue<CompletableFuture<Page>> sent = new ConcurrentLinkedQueue<>();
        private final AtomicLong next = new AtomicLong();

        Load(URI page) {
            clock.scheduleAtFixedRate(() -> {
                String id = "chaos-" + next.incrementAndGet();
                long at = System.currentTimeMillis();
                HttpRequest request = HttpRequest.newBuilder(page).header("x-request-id", id).timeout(Duration.ofSeconds(20)).build();
                sent.add(http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                        .handle((response, failure) -> new Page(id, at, failure == null ? response.statusCode() : 0)));
            }, 0, 1_000_000 / RATE, TimeUnit.MICROSECONDS);
        }

        /** Stops sending and waits for every answer. */
        List<Page> stop() throws Exception {
            clock.shutdownNow();
            clock.awaitTermination(5, TimeUnit.SECONDS);
            List<Page> pages = new ArrayList<>();
            for (CompletableFuture<Page> page : sent) {
                pages.add(page.get(60, TimeUnit.SECONDS));
            }
            return pages;
        }

        @Override
        public void close() {
            clock.shutdownNow();
        }
    }

    @Test
    void everyFailedPageUnderChaosIsExplainedByThePolicyInForceAndTheCountersAgreeWithTheAccessLogs(@TempDir Path broken)
            throws Exception {
        Path logs = Files.createDirectories(ROOT.resolve("local-mesh/target/mesh-logs-chaos"));
        try (var old = Files.list(logs)) {
            for (Path file : old.toList()) {
                Files.delete(file);
            }
        }
        Files.writeString(broken.resolve("virtual-service.yaml"), """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: catalogdetail}
                spec:
                  hosts: [catalogdetail]
                  http:
                    - timeout: soon
                      route:
                        - destination: {host: catalogdetail, subset: v9}
                """);
        Layout.Ports ports = Layout.Ports.DEFAULT.withOffset(DemoPorts.freeOffset());
        List<Window> windows = new ArrayList<>();
        List<long[]> changesOnly = new ArrayList<>();
        List<Page> pages;
        try (LocalMesh mesh = LocalMesh.start(ROOT, new LocalMesh.Options(ports, 11L, logs, Duration.ofSeconds(120)), line -> { });
                Load load = new Load(mesh.ingress())) {
            long from = apply(mesh, "istio/setup-mesh-resources");
            Thread.sleep(4_000);
            apply(mesh, "istio/weight-based-routing");
            Thread.sleep(4_000);
            List<String> before = mesh.inForce().stream().map(m -> m.kind() + " " + m.name() + " " + m.body()).toList();
            ApplyResult refused = mesh.apply("broken", Sources.readFolder(broken, ROOT));
            assertThat(refused.applied()).as("a broken folder is refused: %s", refused.findings()).isFalse();
            assertThat(mesh.inForce().stream().map(m -> m.kind() + " " + m.name() + " " + m.body()).toList())
                    .as("the configuration in force after a refused folder").isEqualTo(before);
            Thread.sleep(3_000);
            changesOnly.add(new long[] { from, System.currentTimeMillis() - SLACK_MILLIS }); // a page sent later may meet the fault

            long faultFrom = apply(mesh, "istio/fault-injection");
            Thread.sleep(6_000);
            long faultTo = apply(mesh, "istio/setup-mesh-resources");
            windows.add(new Window("Istio's abort (fault-injection applied)", faultFrom, faultTo, line -> line.flags().contains("FI")));
            long calmFrom = System.currentTimeMillis();
            Thread.sleep(4_000);
            changesOnly.add(new long[] { calmFrom, System.currentTimeMillis() - SLACK_MILLIS }); // ... and /injectFault

            String faulted = address(mesh, FAULTED);
            long injected = System.currentTimeMillis();
            assertThat(mesh.call(FAULTED, "/injectFault").statusCode()).isEqualTo(500);
            Thread.sleep(4_000);
            assertThat(mesh.call(FAULTED, "/resetFault").statusCode()).isEqualTo(200);
            windows.add(new Window(FAULTED + "'s own fault (/injectFault)", injected, System.currentTimeMillis(),
                    line -> line.status() == 500 && line.upstream().equals(faulted)));
            Thread.sleep(3_000);

            String killed = address(mesh, KILLED);
            long kill = System.currentTimeMillis();
            mesh.kubelet().kill(KILLED);
            mesh.kubelet().awaitReady(i -> i.name().equals(KILLED), Duration.ofSeconds(90));
            windows.add(new Window(KILLED + " killed, until Ready again", kill, System.currentTimeMillis(),
                    line -> line.failed() && (line.upstream().equals(killed) || line.upstream().equals("-"))));
            long readyAgain = System.currentTimeMillis();
            Thread.sleep(4_000);
            changesOnly.add(new long[] { readyAgain + SLACK_MILLIS, System.currentTimeMillis() });

            pages = load.stop();
            assertThat(mesh.dataPlane().awaitIdle(Duration.ofSeconds(30))).as("every request ended").isTrue();
            Thread.sleep(1_000); // the access logs' flusher writes every 200 ms

            Map<String, List<Line>> byProxy = new TreeMap<>();
            for (var proxy : mesh.dataPlane().proxies()) {
                Path file = logs.resolve(proxy.identity().label().replace(' ', '-') + ".log");
                byProxy.put(proxy.identity().label(), Files.exists(file)
                        ? Files.readAllLines(file).stream().map(text -> Line.parse(proxy.identity().label(), text)).toList()
                        : List.of());
            }
            countersAgreeWithTheAccessLogs(mesh.dataPlane().stats().snapshot(), byProxy);

            Map<String, List<Line>> byRequest = byProxy.values().stream().flatMap(List::stream)
                    .collect(Collectors.groupingBy(Line::requestId));
            List<String> unexplained = new ArrayList<>();
            Map<String, Long> explained = new TreeMap<>();
            for (Page page : pages) {
                if (!page.failed()) {
                    continue;
                }
                List<Line> lines = byRequest.getOrDefault(page.id(), List.of());
                windows.stream().filter(w -> lines.stream().anyMatch(w::explains)).findFirst().ifPresentOrElse(
                        w -> explained.merge(w.cause(), 1L, Long::sum),
                        () -> unexplained.add(page + " " + lines));
            }
            List<Page> duringChangesOnly = pages.stream()
                    .filter(p -> changesOnly.stream().anyMatch(span -> p.sentMillis() >= span[0] && p.sentMillis() <= span[1])).toList();
            System.out.printf("chaos: %d pages, %d failed: %s; %d unexplained; %d while only the configuration changed%n",
                    pages.size(), pages.stream().filter(Page::failed).count(), explained, unexplained.size(), duringChangesOnly.size());
            assertThat(unexplained).as("failed pages no policy in force explains (explained: %s)", explained).isEmpty();
            assertThat(duringChangesOnly).as("pages while only the configuration changed").hasSizeGreaterThan(10 * RATE);
            assertThat(duringChangesOnly).filteredOn(Page::failed).as("pages lost to a configuration change alone").isEmpty();
            assertThat(explained).as("the route fault made pages fail").containsKey(windows.get(0).cause());
            assertThat(explained).as("the application fault made pages fail").containsKey(windows.get(1).cause());
        }
    }

    /** Applies a scenario folder and returns when it was in force. */
    static long apply(LocalMesh mesh, String folder) throws IOException {
        ApplyResult result = mesh.apply(folder, Sources.readFolder(ROOT.resolve(folder), ROOT));
        assertThat(result.applied()).as("%s applied: %s", folder, result.findings()).isTrue();
        return result.epochMillis();
    }

    /** The address the proxies log as a pod's upstream host. */
    static String address(LocalMesh mesh, String pod) {
        return "127.0.0.1:" + mesh.instances().stream().filter(i -> i.name().equals(pod)).findFirst().orElseThrow().port();
    }

    /** Per proxy: requests, answers by class and flags as counted, against the lines of its access log. */
    static void countersAgreeWithTheAccessLogs(List<TrafficStats.Count> counts, Map<String, List<Line>> byProxy) {
        Map<String, Map<String, Long>> counted = new TreeMap<>();
        for (TrafficStats.Count count : counts) {
            String metric = count.key().metric();
            if (metric.equals("requests") || metric.matches("\\dxx") || metric.equals("no answer") || metric.startsWith("flag ")) {
                counted.computeIfAbsent(count.key().proxy(), p -> new TreeMap<>()).merge(metric, count.value(), Long::sum);
            }
        }
        counted.values().forEach(metrics -> metrics.values().removeIf(v -> v == 0));
        Map<String, Map<String, Long>> logged = new TreeMap<>();
        byProxy.forEach((proxy, lines) -> {
            Map<String, Long> metrics = new TreeMap<>();
            for (Line line : lines) {
                metrics.merge("requests", 1L, Long::sum);
                metrics.merge(line.status() == 0 ? "no answer" : line.status() / 100 + "xx", 1L, Long::sum);
                line.flags().forEach(flag -> metrics.merge("flag " + flag, 1L, Long::sum));
            }
            if (!metrics.isEmpty()) {
                logged.put(proxy, metrics);
            }
        });
        counted.values().removeIf(Map::isEmpty);
        assertThat(counted).as("counters against access-log lines, per proxy (%s)", Arrays.toString(byProxy.keySet().toArray()))
                .isEqualTo(logged);
    }
}
