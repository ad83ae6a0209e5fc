package io.productapp.mesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The random draws of a request — its weighted cluster, the fault's delay and abort, the mirror's
 * share — are independent, per request and of each other: 12,000 requests through a real sidecar
 * on a route with all four, each share within 3.5 standard deviations of its setting, and each
 * pair of draws together as often as the product of their shares says.
 */
class IndependentDrawsTest {

    static final int REQUESTS = 12_000;
    static final int CONCURRENCY = 32;

    @TempDir
    Path logs;

    @Test
    void weightsFaultsAndMirrorsAreDrawnIndependentlyForEachRequest() throws Exception {
        try (StandIns standIns = new StandIns()) {
            // Who each mirrored copy was made for: catalogdetail v2 sees each request id of the copies.
            Map<String, Integer> v2Ids = new ConcurrentHashMap<>();
            standIns.behaviour.put("catalogdetail2-0", r -> {
                v2Ids.merge(r.getHeader("x-request-id"), 1, Integer::sum);
                r.response().end("{\"version\":\"2\"}");
            });
            try (DataPlane plane = standIns.plane(logs, 20261204L)) {
                plane.configure(standIns.with(StandIns.vs("""
                        - fault:
                            delay: {fixedDelay: 1ms, percentage: {value: 50}}
                            abort: {httpStatus: 503, percentage: {value: 20}}
                          route:
                          - {destination: {host: catalogdetail, port: {number: 3000}, subset: v1}, weight: 70}
                          - {destination: {host: catalogdetail, port: {number: 3000}, subset: v2}, weight: 30}
                          mirror: {host: catalogdetail, port: {number: 3000}, subset: v2}
                          mirrorPercentage: {value: 40}
                        """)));
                Proxy sidecar = plane.start(standIns.sidecar("productcatalog"), 0);
                send(StandIns.via(sidecar));
                assertThat(plane.awaitIdle(Duration.ofSeconds(10))).isTrue();
                sidecar.accessLog().flush();

                // One line per request: its flags, the cluster its route drew, and its id.
                Pattern line = Pattern.compile("\" (\\d{3}) (\\S+) .* \"([0-9a-f-]{36})\" .* (outbound\\|3000\\|(v[12])\\|\\S+) ");
                int n = 0;
                int delayed = 0;
                int aborted = 0;
                int v1 = 0;
                int forwarded = 0;
                int mirrored = 0;
                Map<String, Integer> pairs = new HashMap<>();
                for (String text : Files.readAllLines(sidecar.accessLog().file())) {
                    Matcher m = line.matcher(text);
                    assertThat(m.find()).as(text).isTrue();
                    n++;
                    boolean di = m.group(2).contains("DI");
                    boolean fi = m.group(2).contains("FI");
                    boolean toV1 = m.group(5).equals("v1");
                    // A copy went to v2 for this request: v2 saw its id once more than the route sent it there.
                    boolean copied = !fi && v2Ids.getOrDefault(m.group(3), 0) > (toV1 ? 0 : 1);
                    delayed += di ? 1 : 0;
                    aborted += fi ? 1 : 0;
                    v1 += toV1 ? 1 : 0;
                    forwarded += fi ? 0 : 1;
                    mirrored += copied ? 1 : 0;
                    pairs.merge("delay+abort", di && fi ? 1 : 0, Integer::sum);
                    pairs.merge("v1+delay", toV1 && di ? 1 : 0, Integer::sum);
                    pairs.merge("v1+abort", toV1 && fi ? 1 : 0, Integer::sum);
                    pairs.merge("mirror+delay", copied && di ? 1 : 0, Integer::sum);
                    pairs.merge("mirror+v1", copied && toV1 ? 1 : 0, Integer::sum);
                }
                assertThat(n).isEqualTo(REQUESTS);
                StandIns.assertShare("delayed", delayed, n, 50);
                StandIns.assertShare("aborted", aborted, n, 20);
                StandIns.assertShare("to v1", v1, n, 70);
                StandIns.assertShare("mirrored, of the requests not aborted", mirrored, forwarded, 40);
                StandIns.assertShare("delayed and aborted", pairs.get("delay+abort"), n, 50 * 20 / 100.0);
                StandIns.assertShare("to v1 and delayed", pairs.get("v1+delay"), n, 70 * 50 / 100.0);
                StandIns.assertShare("to v1 and aborted", pairs.get("v1+abort"), n, 70 * 20 / 100.0);
                StandIns.assertShare("mirrored and delayed, of those not aborted", pairs.get("mirror+delay"), forwarded, 40 * 50 / 100.0);
                StandIns.assertShare("mirrored and to v1, of those not aborted", pairs.get("mirror+v1"), forwarded, 40 * 70 / 100.0);
                // The counters say the same.
                assertThat(plane.stats().total(null, "flag DI")).isEqualTo(delayed);
                assertThat(plane.stats().total(null, "flag FI")).isEqualTo(aborted);
                assertThat(plane.stats().total("catalogdetail2-0", "mirrored")).isEqualTo(mirrored);
            }
        }
    }

    /** {@value #REQUESTS} requests, {@value #CONCURRENCY} at a time. */
    private static void send(HttpClient client) throws Exception {
        Semaphore slots = new Semaphore(CONCURRENCY);
        List<CompletableFuture<HttpResponse<Void>>> answers = new ArrayList<>(REQUESTS);
        HttpRequest request = HttpRequest.newBuilder(URI.create(StandIns.CATALOGDETAIL)).timeout(Duration.ofSeconds(30)).build();
        for (int i = 0; i < REQUESTS; i++) {
            slots.acquire();
            answers.add(client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> slots.release()));
        }
        for (CompletableFuture<HttpResponse<Void>> answer : answers) {
            assertThat(answer.get(60, TimeUnit.SECONDS).statusCode()).isIn(200, 503);
        }
    }
}
