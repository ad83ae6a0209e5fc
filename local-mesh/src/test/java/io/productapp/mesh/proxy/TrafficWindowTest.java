package io.productapp.mesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import io.productapp.mesh.proxy.TrafficWindow.EdgeView;
import io.productapp.mesh.proxy.TrafficWindow.Traffic;

/** The traffic view's window, ticked by hand on a clock the test moves: no sockets, no sleeps. */
class TrafficWindowTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong nanos = new AtomicLong(5 * SECOND);
    private final TrafficWindow window = new TrafficWindow(nanos::get, () -> 1_764_633_600_000L + nanos.get() / 1_000_000);

    private TrafficWindow.View tickAfterOneSecond() {
        nanos.addAndGet(SECOND);
        return window.tick();
    }

    private static EdgeView only(TrafficWindow.View view) {
        assertThat(view.edges()).hasSize(1);
        return view.edges().get(0);
    }

    @Test
    void ratesAreRequestsOverTheSecondsTheWindowCovers() {
        TrafficWindow.Edge edge = window.edge("productcatalog-0", "catalogdetail-0", Traffic.SERVED);
        for (int second = 0; second < 4; second++) {
            for (int i = 0; i < 25; i++) {
                edge.record(200, 0, 2_000_000, 0);
            }
            tickAfterOneSecond();
        }
        EdgeView view = only(window.latest());
        assertThat(view.requests()).isEqualTo(100);
        assertThat(view.perSecond()).isCloseTo(25.0, within(1e-9));
        assertThat(window.latest().seconds()).isCloseTo(4.0, within(1e-9));
    }

    @Test
    void requestsOlderThanTheWindowLeaveIt() {
        TrafficWindow.Edge edge = window.edge("istio-ingressgateway", "frontend-0", Traffic.SERVED);
        for (int i = 0; i < 50; i++) {
            edge.record(200, 0, 1_000_000, 0);
        }
        tickAfterOneSecond();
        for (int second = 1; second < TrafficWindow.SLOTS; second++) {
            edge.record(200, 0, 1_000_000, 0);
            assertThat(tickAfterOneSecond().edges().get(0).requests()).as("after %d s", second + 1).isEqualTo(50 + second);
        }
        edge.record(200, 0, 1_000_000, 0);
        EdgeView slid = only(tickAfterOneSecond());
        assertThat(slid.requests()).as("the first second's 50 left the window").isEqualTo(10);
        assertThat(slid.perSecond()).isCloseTo(1.0, within(1e-9));
        for (int second = 0; second < TrafficWindow.SLOTS; second++) {
            tickAfterOneSecond();
        }
        assertThat(window.latest().edges()).as("an idle edge leaves the graph").isEmpty();
    }

    @Test
    void errorShareCountsServerErrorsAndAnswersNeverSent() {
        TrafficWindow.Edge edge = window.edge("productcatalog-0", "catalogdetail-0", Traffic.SERVED);
        for (int status : new int[] { 200, 200, 200, 200, 200, 404, 503, 504, 0, 200 }) {
            edge.record(status, 0, 1_000_000, 0);
        }
        EdgeView view = only(tickAfterOneSecond());
        assertThat(view.errors()).as("503, 504 and the caller gone; not the 404").isEqualTo(3);
        assertThat(view.errorShare()).isCloseTo(0.3, within(1e-9));
    }

    @Test
    void flagsAndRetriesAreCountedPerWindow() {
        TrafficWindow.Edge edge = window.edge("frontend-0", "productcatalog-0", Traffic.SERVED);
        edge.record(503, ResponseFlag.UO.bit(), 100_000, 0);
        edge.record(503, ResponseFlag.UO.bit(), 100_000, 0);
        edge.record(200, 0, 1_000_000, 2);
        edge.record(503, ResponseFlag.URX.bit(), 1_000_000, 2);
        EdgeView view = only(tickAfterOneSecond());
        assertThat(view.flags()).isEqualTo(Map.of("UO", 2L, "URX", 1L));
        assertThat(view.retries()).isEqualTo(4);
        edge.record(200, 0, 1_000_000, 0);
        assertThat(only(tickAfterOneSecond()).flags()).as("still in the window").isEqualTo(Map.of("UO", 2L, "URX", 1L));
    }

    @Test
    void percentilesAreThoseOfEveryLatencyInTheWindow() {
        SplittableRandom random = new SplittableRandom(13);
        Histogram all = new Histogram(2);
        TrafficWindow.Edge edge = window.edge("productcatalog-0", "catalogdetail2-0", Traffic.SERVED);
        for (int second = 0; second < 5; second++) {
            for (int i = 0; i < 400; i++) {
                long micros = 200 + random.nextLong(second == 3 ? 50_000 : 3_000);
                edge.record(200, 0, micros * 1_000, 0);
                all.recordValue(micros);
            }
            tickAfterOneSecond();
        }
        EdgeView view = only(window.latest());
        assertThat(view.p99Millis()).isEqualTo(all.getValueAtPercentile(99) / 1000.0);
        assertThat(view.p50Millis()).isEqualTo(all.getValueAtPercentile(50) / 1000.0);
        assertThat(view.maxMillis()).isEqualTo(all.getMaxValue() / 1000.0);
    }

    @Test
    void mirroredCopiesAreAnEdgeApartFromServedTraffic() {
        window.edge("productcatalog-0", "catalogdetail2-0", Traffic.MIRRORED).record(500, 0, 1_000_000, 0);
        window.edge("productcatalog-0", "catalogdetail-0", Traffic.SERVED).record(200, 0, 1_000_000, 0);
        TrafficWindow.View view = tickAfterOneSecond();
        assertThat(view.edges()).extracting(e -> e.key().destination() + " " + e.key().traffic() + " " + e.errors())
                .containsExactly("catalogdetail-0 SERVED 0", "catalogdetail2-0 MIRRORED 1");
    }

    @Test
    void anEjectionShowsUntilItEnds() {
        window.ejected("sidecar productcatalog-0", "catalogdetail-0", nanos.get() + 3 * SECOND);
        assertThat(tickAfterOneSecond().ejected()).isEqualTo(Map.of("catalogdetail-0", List.of("sidecar productcatalog-0")));
        tickAfterOneSecond();
        assertThat(tickAfterOneSecond().ejected()).isEmpty();
    }

    @Test
    void aReaderWaitingForTheNextTickGetsIt() throws Exception {
        long seen = window.latest().sequence();
        Thread ticker = new Thread(this::tickAfterOneSecond);
        ticker.start();
        TrafficWindow.View next = window.next(seen, 10_000);
        ticker.join();
        assertThat(next.sequence()).isEqualTo(seen + 1);
    }

    @Test
    void theServiceNodeIsNamedByTheHostsFirstLabel() {
        assertThat(TrafficWindow.serviceNode("catalogdetail:3000")).isEqualTo("service:catalogdetail");
        assertThat(TrafficWindow.serviceNode("catalogdetail.workshop.svc.cluster.local:3000")).isEqualTo("service:catalogdetail");
        assertThat(TrafficWindow.serviceNode("productcatalog")).isEqualTo("service:productcatalog");
        assertThat(TrafficWindow.serviceNode(null)).isEqualTo("service:unknown");
    }
}
