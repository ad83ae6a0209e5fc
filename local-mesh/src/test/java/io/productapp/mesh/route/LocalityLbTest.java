package io.productapp.mesh.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import io.productapp.mesh.model.DestinationRule.Distribute;
import io.productapp.mesh.model.DestinationRule.Failover;
import io.productapp.mesh.model.DestinationRule.LocalityLbSetting;

/** Istio's locality priorities and Envoy's priority load, without sockets. */
class LocalityLbTest {

    static final LocalityLbSetting ON = new LocalityLbSetting(null, List.of(), List.of(), List.of());
    static final Locality CALLER = Locality.parse("us-west-2/us-west-2a");

    static Endpoint at(String name, String locality) {
        return new Endpoint(name, "127.0.0.1", 1, Map.of(), Locality.parse(locality));
    }

    @Test
    void prioritiesFollowZoneThenRegionOnlyWithOutlierDetection() {
        List<Endpoint> endpoints = List.of(at("same", "us-west-2/us-west-2a"), at("zone", "us-west-2/us-west-2b"),
                at("region", "eu-west-1/eu-west-1a"));
        assertThat(LocalityLb.priorities(CALLER, endpoints, ON, true)).containsExactly(0, 1, 2);
        assertThat(LocalityLb.priorities(CALLER, endpoints, ON, false)).as("no outlierDetection: no failover").containsExactly(0, 0, 0);
        assertThat(LocalityLb.priorities(CALLER, endpoints, null, true)).as("enabled: false").containsExactly(0, 0, 0);
    }

    @Test
    void aFailoverRuleRanksItsTargetRegionBeforeOthers() {
        LocalityLbSetting failover = new LocalityLbSetting(null, List.of(), List.of(new Failover("us-west-2", "us-east-1")), List.of());
        List<Endpoint> endpoints = List.of(at("other", "eu-west-1/eu-west-1a"), at("target", "us-east-1/us-east-1a"));
        assertThat(LocalityLb.priorities(CALLER, endpoints, failover, true)).containsExactly(1, 0);
    }

    @ParameterizedTest(name = "P0 {0} of {1} healthy, P1 {2} of {3} -> load {4}/{5}")
    @CsvSource({
            "1, 1, 1, 1, 100, 0",
            "0, 1, 1, 1, 0, 100",
            "1, 2, 1, 1, 70, 30",   // 50 % healthy x 1.4 overprovisioning
            "3, 4, 1, 1, 100, 0",   // 75 % x 1.4 > 100 %
            "0, 1, 0, 1, 0, 0" })   // nothing healthy: no host (503 UH)
    void priorityLoadIsHealthyShareTimesOverprovisioning(int up0, int all0, int up1, int all1, int load0, int load1) {
        List<Endpoint> endpoints = new java.util.ArrayList<>();
        Set<String> healthy = new java.util.HashSet<>();
        int[] priority = new int[all0 + all1];
        for (int i = 0; i < all0 + all1; i++) {
            endpoints.add(at("e" + i, "us-west-2/us-west-2a"));
            priority[i] = i < all0 ? 0 : 1;
            if ((i < all0 && i < up0) || (i >= all0 && i - all0 < up1)) {
                healthy.add("e" + i);
            }
        }
        int[] load = LocalityLb.priorityLoad(endpoints, priority, e -> healthy.contains(e.name()), 2);
        assertThat(load).containsExactly(load0, load1);
    }

    @Test
    void distributeWeightsTheCallersTrafficByLocality() {
        LocalityLbSetting distribute = new LocalityLbSetting(null,
                List.of(new Distribute("us-west-2/us-west-2a/*", Map.of("us-west-2/us-west-2a/*", 80, "us-west-2/us-west-2b/*", 20))),
                List.of(), List.of());
        List<Endpoint> endpoints = List.of(at("a", "us-west-2/us-west-2a"), at("b", "us-west-2/us-west-2b"), at("c", "us-west-2/us-west-2c"));
        Map<String, Integer> picked = new HashMap<>();
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 10_000; i++) {
            List<Endpoint> candidates = LocalityLb.candidates(CALLER, endpoints, new int[3], e -> true, distribute, random);
            picked.merge(candidates.get(0).name(), 1, Integer::sum);
        }
        assertThat(picked.get("a")).isBetween(7_700, 8_300);
        assertThat(picked.get("b")).isBetween(1_700, 2_300);
        assertThat(picked).as("a locality it does not name gets nothing").doesNotContainKey("c");
    }
}
