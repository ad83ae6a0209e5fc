package io.productapp.mesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import io.productapp.mesh.model.DestinationRule.ConnectionPool;
import io.productapp.mesh.model.DestinationRule.LoadBalancer;
import io.productapp.mesh.model.DestinationRule.OutlierDetection;
import io.productapp.mesh.model.DestinationRule.Simple;
import io.productapp.mesh.model.DestinationRule.TrafficPolicy;
import io.productapp.mesh.model.KubeService;
import io.productapp.mesh.model.Origin;
import io.productapp.mesh.route.ClusterRef;
import io.productapp.mesh.route.ClusterSpec;
import io.productapp.mesh.route.Endpoint;
import io.productapp.mesh.route.Locality;

/** One proxy's view of one cluster: circuit breakers, outlier detection, load balancing. */
class ClusterStateTest {

    static final Locality ZONE_A = new Locality("us-west-2", "us-west-2a", "");
    static final Endpoint E1 = new Endpoint("cd-0", "127.0.0.1", 1, Map.of("app", "cd"), ZONE_A);
    static final Endpoint E2 = new Endpoint("cd-1", "127.0.0.1", 2, Map.of("app", "cd"), ZONE_A);
    static final long SECOND = 1_000_000_000L;

    static ClusterState cluster(LoadBalancer lb, ConnectionPool pool, OutlierDetection outlier) {
        return new ClusterState(spec(new TrafficPolicy(lb, pool, outlier)));
    }

    /** A cluster of Service cd's port 3000 with {@code policy}, made anew on each call. */
    static ClusterSpec spec(TrafficPolicy policy) {
        KubeService service = new KubeService(new Origin("Service", "cd", "workshop", "chart"), Map.of("app", "cd"),
                List.of(new KubeService.Port("http", 3000, "http", null)));
        return new ClusterSpec(new ClusterRef(service.fqdn(), 3000, null), service, Map.of(), policy);
    }

    @Test
    void aStateServesItsDefinitionAndAnEqualOneFromANewerSnapshotButNotAChangedOne() {
        ConnectionPool onePool = new ConnectionPool(1, 1, ConnectionPool.UNLIMITED, 1, ConnectionPool.UNLIMITED, null);
        ConnectionPool twoPool = new ConnectionPool(2, 1, ConnectionPool.UNLIMITED, 1, ConnectionPool.UNLIMITED, null);
        TrafficPolicy one = new TrafficPolicy(null, onePool, null);
        TrafficPolicy two = new TrafficPolicy(null, twoPool, null);
        ClusterSpec original = spec(one);
        ClusterState state = new ClusterState(original);
        record Row(String what, ClusterSpec definition, boolean served) {
        }
        for (Row row : List.of(new Row("the same instance", original, true), new Row("an equal one from a newer snapshot", spec(one), true),
                new Row("another connection pool", spec(two), false))) {
            assertThat(state.serves(row.definition())).as(row.what()).isEqualTo(row.served());
        }
    }

    static OutlierDetection outlier(int consecutive, int maxPercent) {
        return new OutlierDetection(consecutive, 0, Duration.ofSeconds(1), Duration.ofSeconds(30), maxPercent, 0);
    }

    @Test
    void beyondItsConnectionsARequestWaitsAndBeyondThePendingLimitItOverflows() {
        ClusterState state = cluster(null, new ConnectionPool(1, 1, ConnectionPool.UNLIMITED, 1, ConnectionPool.UNLIMITED, null), null);
        List<String> ran = new ArrayList<>();
        assertThat(state.admit(() -> ran.add("first"))).isTrue();
        assertThat(state.admit(() -> ran.add("second"))).isTrue();
        assertThat(state.admit(() -> ran.add("third"))).as("UO").isFalse();
        assertThat(ran).containsExactly("first");
        state.release();
        assertThat(ran).containsExactly("first", "second");
    }

    @Test
    void http2MaxRequestsOverflowsWithoutWaiting() {
        ClusterState state = cluster(null, new ConnectionPool(ConnectionPool.UNLIMITED, ConnectionPool.UNLIMITED, 2, 0,
                ConnectionPool.UNLIMITED, null), null);
        assertThat(state.admit(() -> { })).isTrue();
        assertThat(state.admit(() -> { })).isTrue();
        assertThat(state.admit(() -> { })).isFalse();
    }

    @Test
    void anEndpointIsEjectedAtTheNthConsecutive5xxAndReturnsAtTheSweepAfterItsTime() {
        ClusterState state = cluster(null, null, outlier(2, 100));
        state.know(List.of(E1, E2));
        long now = System.nanoTime();
        assertThat(state.record(E1, 500, now)).isFalse();
        assertThat(state.record(E1, 200, now)).as("a success breaks the run").isFalse();
        assertThat(state.record(E1, 503, now)).isFalse();
        assertThat(state.record(E1, 500, now)).as("the second in a row ejects").isTrue();
        assertThat(state.healthy(E1, now + 29 * SECOND)).isFalse();
        assertThat(state.healthy(E1, now + 32 * SECOND)).isTrue();
        assertThat(state.healthy(E2, now)).isTrue();
    }

    @Test
    void aSecondEjectionLastsTwiceTheBaseTime() {
        ClusterState state = cluster(null, null, outlier(1, 100));
        state.know(List.of(E1, E2));
        long now = System.nanoTime();
        assertThat(state.record(E1, 500, now)).isTrue();
        long back = now + 31 * SECOND; // at the sweep that returns it, before a sweep sees it healthy
        assertThat(state.healthy(E1, back)).isTrue();
        assertThat(state.record(E1, 500, back)).isTrue();
        assertThat(state.healthy(E1, back + 45 * SECOND)).as("60 s this time").isFalse();
        assertThat(state.healthy(E1, back + 62 * SECOND)).isTrue();
    }

    @Test
    void maxEjectionPercentKeepsHostsInService() {
        // Envoy ejects only while ejected hosts stay within the share: with two hosts, 10 % allows none.
        ClusterState state = cluster(null, null, outlier(1, 10));
        state.know(List.of(E1, E2));
        assertThat(state.record(E1, 500, System.nanoTime())).isFalse();
        ClusterState half = cluster(null, null, outlier(1, 50));
        half.know(List.of(E1, E2));
        assertThat(half.record(E1, 500, System.nanoTime())).isTrue();
        assertThat(half.record(E2, 500, System.nanoTime())).as("a second would pass 50 %").isFalse();
    }

    @Test
    void withoutOutlierDetectionNothingIsEjected() {
        ClusterState state = cluster(null, null, null);
        for (int i = 0; i < 10; i++) {
            assertThat(state.record(E1, 500, System.nanoTime())).isFalse();
        }
        assertThat(state.healthy(E1, System.nanoTime())).isTrue();
    }

    @Test
    void whenEveryEndpointIsEjectedThereIsNoHost() {
        ClusterState state = cluster(null, null, outlier(1, 100));
        state.know(List.of(E1, E2));
        long now = System.nanoTime();
        state.record(E1, 500, now);
        state.record(E2, 500, now);
        assertThat(state.pick(ZONE_A, List.of(E1, E2), Set.of(), true, new SplittableRandom(1))).as("503 UH").isNull();
    }

    @Test
    void roundRobinAlternates() {
        ClusterState state = cluster(new LoadBalancer(Simple.ROUND_ROBIN, null), null, null);
        List<String> picked = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            picked.add(state.pick(ZONE_A, List.of(E1, E2), Set.of(), false, new SplittableRandom(i)).name());
        }
        assertThat(picked).containsExactly("cd-0", "cd-1", "cd-0", "cd-1");
    }

    @Test
    void leastRequestPrefersTheLessBusyEndpoint() {
        ClusterState state = cluster(null, null, null);
        state.started(E1);
        state.started(E1);
        Map<String, Integer> picked = new HashMap<>();
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 1000; i++) {
            picked.merge(state.pick(ZONE_A, List.of(E1, E2), Set.of(), false, random).name(), 1, Integer::sum);
        }
        // Two draws with replacement: the busy one wins only when drawn twice, a quarter of the time.
        assertThat(picked.get("cd-0")).isBetween(200, 300);
    }

    @Test
    void aRetryPrefersAnEndpointNotTriedYet() {
        // Envoy draws up to 5 times for a host not tried yet, then takes the last draw: with two
        // hosts at random the tried one comes back 1 time in 32.
        ClusterState state = cluster(new LoadBalancer(Simple.RANDOM, null), null, null);
        SplittableRandom random = new SplittableRandom(3);
        int untried = 0;
        for (int i = 0; i < 3200; i++) {
            untried += state.pick(ZONE_A, List.of(E1, E2), Set.of("cd-0"), true, random).name().equals("cd-1") ? 1 : 0;
        }
        assertThat(untried).isBetween(3050, 3150);
        int withoutPreference = 0;
        for (int i = 0; i < 3200; i++) {
            withoutPreference += state.pick(ZONE_A, List.of(E1, E2), Set.of("cd-0"), false, random).name().equals("cd-1") ? 1 : 0;
        }
        assertThat(withoutPreference).as("retryIgnorePreviousHosts: false").isBetween(1450, 1750);
    }
}
