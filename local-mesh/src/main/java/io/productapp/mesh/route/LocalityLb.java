package io.productapp.mesh.route;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

import io.productapp.mesh.model.DestinationRule.Distribute;
import io.productapp.mesh.model.DestinationRule.Failover;
import io.productapp.mesh.model.DestinationRule.LocalityLbSetting;

/**
 * Locality-aware endpoint choice as Istio configures it and Envoy applies it.
 * <p>
 * Istio (pilot {@code loadbalancer.go}) gives each endpoint a priority from the caller's locality:
 * 0 for the same region, zone and subzone, 1 for the same region and zone, 2 for the same region,
 * 3 for another region (4 when a {@code failover} rule names another region for the caller's),
 * compacted to 0..n. It does so only when the DestinationRule has {@code outlierDetection}: without
 * it every endpoint has priority 0. {@code distribute} instead weights the caller's traffic by
 * locality, and drops endpoints of localities it does not name.
 * <p>
 * Envoy sends each priority level its healthy share × 1.4 (the overprovisioning factor, capped at
 * 100 %), spilling the rest to the next level; ejected endpoints are unhealthy. When no endpoint is
 * healthy there is no host (Istio turns Envoy's panic mode off): 503 UH.
 */
public final class LocalityLb {

    static final double OVERPROVISIONING = 1.4;

    private LocalityLb() {
    }

    /** Priorities of {@code endpoints} for a caller in {@code source}, compacted to 0..n. */
    public static int[] priorities(Locality source, List<Endpoint> endpoints, LocalityLbSetting setting, boolean outlierDetection) {
        int[] priority = new int[endpoints.size()];
        if (setting == null || !outlierDetection || !setting.distribute().isEmpty()) {
            return priority;
        }
        String failoverTo = setting.failover().stream().filter(f -> f.from().equals(source.region())).map(Failover::to)
                .findFirst().orElse(null);
        for (int i = 0; i < endpoints.size(); i++) {
            Locality target = endpoints.get(i).locality();
            if (!target.region().equals(source.region())) {
                priority[i] = failoverTo != null && !target.region().equals(failoverTo) ? 4 : 3;
            } else if (!target.zone().equals(source.zone())) {
                priority[i] = 2;
            } else if (!target.subzone().equals(source.subzone())) {
                priority[i] = 1;
            }
        }
        List<Integer> levels = new ArrayList<>(new TreeSet<>(java.util.Arrays.stream(priority).boxed().toList()));
        for (int i = 0; i < priority.length; i++) {
            priority[i] = levels.indexOf(priority[i]);
        }
        return priority;
    }

    /**
     * The endpoints a request may go to: the healthy ones of one priority level, drawn by Envoy's
     * priority load; or, under {@code distribute}, of one locality drawn by its weight. Empty when
     * none is healthy.
     */
    public static List<Endpoint> candidates(Locality source, List<Endpoint> endpoints, int[] priority, Predicate<Endpoint> healthy,
            LocalityLbSetting setting, RandomGenerator random) {
        if (setting != null && !setting.distribute().isEmpty()) {
            Distribute distribute = setting.distribute().stream().filter(d -> source.matches(d.from())).findFirst().orElse(null);
            if (distribute != null) {
                return distributed(endpoints, distribute, healthy, random);
            }
        }
        int levels = 0;
        for (int p : priority) {
            levels = Math.max(levels, p + 1);
        }
        if (levels == 1 && allHealthy(endpoints, healthy)) {
            return endpoints; // one level with every endpoint up: all of it, as the draw below would give
        }
        int[] load = priorityLoad(endpoints, priority, healthy, levels);
        int draw = random.nextInt(100);
        int chosen = -1;
        for (int level = 0; level < levels; level++) {
            draw -= load[level];
            if (draw < 0) {
                chosen = level;
                break;
            }
        }
        if (chosen < 0) {
            return List.of();
        }
        List<Endpoint> candidates = new ArrayList<>();
        for (int i = 0; i < endpoints.size(); i++) {
            if (priority[i] == chosen && healthy.test(endpoints.get(i))) {
                candidates.add(endpoints.get(i));
            }
        }
        return candidates;
    }

    private static boolean allHealthy(List<Endpoint> endpoints, Predicate<Endpoint> healthy) {
        for (Endpoint endpoint : endpoints) {
            if (!healthy.test(endpoint)) {
                return false;
            }
        }
        return true;
    }

    /** Envoy's load per priority level, in percent (all 0 when nothing is healthy). */
    static int[] priorityLoad(List<Endpoint> endpoints, int[] priority, Predicate<Endpoint> healthy, int levels) {
        int[] total = new int[levels];
        int[] up = new int[levels];
        for (int i = 0; i < endpoints.size(); i++) {
            total[priority[i]]++;
            if (healthy.test(endpoints.get(i))) {
                up[priority[i]]++;
            }
        }
        int[] health = new int[levels];
        int sum = 0;
        for (int level = 0; level < levels; level++) {
            health[level] = total[level] == 0 ? 0 : (int) Math.min(100, Math.floor(OVERPROVISIONING * 100 * up[level] / total[level]));
            sum += health[level];
        }
        int normalized = Math.min(100, sum);
        int[] load = new int[levels];
        if (normalized == 0) {
            return load;
        }
        int remaining = 100;
        for (int level = 0; level < levels; level++) {
            load[level] = Math.min(remaining, (int) Math.round(health[level] * 100.0 / normalized));
            remaining -= load[level];
        }
        for (int level = levels - 1; level >= 0 && remaining > 0; level--) {
            if (load[level] > 0) { // rounding: the rest to the last level with a load
                load[level] += remaining;
                remaining = 0;
            }
        }
        return load;
    }

    private static List<Endpoint> distributed(List<Endpoint> endpoints, Distribute distribute, Predicate<Endpoint> healthy,
            RandomGenerator random) {
        Map<String, List<Endpoint>> byLocality = new LinkedHashMap<>();
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (Endpoint endpoint : endpoints) {
            if (!healthy.test(endpoint)) {
                continue;
            }
            for (Map.Entry<String, Integer> to : distribute.to().entrySet()) {
                if (endpoint.locality().matches(to.getKey())) {
                    byLocality.computeIfAbsent(to.getKey(), k -> new ArrayList<>()).add(endpoint);
                    weights.put(to.getKey(), to.getValue());
                    break;
                }
            }
        }
        int total = weights.values().stream().mapToInt(Integer::intValue).sum();
        if (total <= 0) {
            return List.of();
        }
        int draw = random.nextInt(total);
        for (Map.Entry<String, Integer> weight : weights.entrySet()) {
            draw -= weight.getValue();
            if (draw < 0) {
                return byLocality.get(weight.getKey());
            }
        }
        return List.of();
    }
}
