package io.productapp.mesh.proxy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The data plane's counters, as Envoy's stats count them per proxy and upstream cluster: requests
 * by endpoint and status class, response flags, mirrored copies, retries, ejections and faults.
 * Written by the proxies' event loops, read by anyone.
 */
public final class TrafficStats {

    /**
     * What one counter counts.
     *
     * @param proxy the proxy ({@code sidecar productcatalog-0}, {@code ingress})
     * @param cluster the upstream cluster ({@code outbound|3000|v1|catalogdetail...}), or {@code -}
     * @param endpoint the endpoint ({@code catalogdetail-v1-0}), or {@code -}
     * @param metric {@code requests}, {@code 2xx}..{@code 5xx}, {@code flag UO}, {@code mirrored},
     *        {@code retries}, {@code ejections}
     */
    public record Key(String proxy, String cluster, String endpoint, String metric) {
    }

    public record Count(Key key, long value) {
    }

    private final Map<Key, LongAdder> counters = new ConcurrentHashMap<>();

    void add(String proxy, String cluster, String endpoint, String metric) {
        counters.computeIfAbsent(new Key(proxy, cluster, endpoint, metric), k -> new LongAdder()).increment();
    }

    /** Every counter that counted something, sorted by proxy, cluster, endpoint and metric. */
    public List<Count> snapshot() {
        List<Count> counts = new ArrayList<>();
        counters.forEach((key, adder) -> counts.add(new Count(key, adder.sum())));
        counts.sort(Comparator.comparing((Count c) -> c.key().proxy()).thenComparing(c -> c.key().cluster())
                .thenComparing(c -> c.key().endpoint()).thenComparing(c -> c.key().metric()));
        return counts;
    }

    /** The sum of a metric over every proxy and cluster, for one endpoint ({@code null}: all). */
    public long total(String endpoint, String metric) {
        long total = 0;
        for (Map.Entry<Key, LongAdder> entry : counters.entrySet()) {
            Key key = entry.getKey();
            if (key.metric().equals(metric) && (endpoint == null || key.endpoint().equals(endpoint))) {
                total += entry.getValue().sum();
            }
        }
        return total;
    }

    public void reset() {
        counters.clear();
    }
}
