package io.productapp.mesh.proxy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The data plane's counters, per proxy, upstream cluster and endpoint, as Istio's and Envoy's
 * stats keep them:
 * <ul>
 * <li>per request, once, from its finished {@link StreamInfo} (Istio's {@code istio_requests_total}):
 * {@code requests}, the answer's class ({@code 2xx} .. {@code 5xx}, or {@code no answer}) and
 * {@code flag XX} for each response flag, on the endpoint that took the last try ({@code -} when
 * none did);</li>
 * <li>per try (Envoy's cluster stats): {@code tries}, {@code retries} (tries that were retried),
 * {@code ejections} (outlier detection);</li>
 * <li>per mirrored copy: {@code mirrored}.</li>
 * </ul>
 * Each proxy writes its own counters from its event loop (one writer each); anyone reads them.
 */
public final class TrafficStats {

    /**
     * What one counter counts.
     *
     * @param proxy the proxy ({@code sidecar productcatalog-0}, {@code ingress istio-ingressgateway})
     * @param cluster the upstream cluster ({@code outbound|3000|v1|catalogdetail...}), or {@code -}
     * @param endpoint the endpoint ({@code catalogdetail-0}), or {@code -}
     * @param metric {@code requests}, {@code 2xx}..{@code 5xx}, {@code no answer}, {@code flag UO},
     *        {@code tries}, {@code retries}, {@code ejections}, {@code mirrored}
     */
    public record Key(String proxy, String cluster, String endpoint, String metric) {
    }

    public record Count(Key key, long value) {
    }

    /** The metrics of one destination, by index; the response flags follow them. */
    private static final String[] METRICS = { "requests", "1xx", "2xx", "3xx", "4xx", "5xx", "no answer", "tries", "retries",
        "ejections", "mirrored" };
    private static final int REQUESTS = 0;
    private static final int NO_ANSWER = 6;
    private static final int TRIES = 7;
    private static final int RETRIES = 8;
    private static final int EJECTIONS = 9;
    private static final int MIRRORED = 10;
    private static final int FLAGS = METRICS.length;

    private record Where(String proxy, String cluster, String endpoint) {
    }

    /** The counters of one proxy for one cluster and endpoint. Written by that proxy's event loop only. */
    static final class Destination {
        private final AtomicLongArray counts = new AtomicLongArray(FLAGS + ResponseFlag.size());

        private void add(int index, long n) {
            counts.setRelease(index, counts.getPlain(index) + n); // one writer: no lost update
        }

        void request(StreamInfo info) {
            add(REQUESTS, 1);
            add(info.status == 0 ? NO_ANSWER : Math.min(5, Math.max(1, info.status / 100)), 1);
            for (int flags = info.flags; flags != 0; flags &= flags - 1) {
                add(FLAGS + Integer.numberOfTrailingZeros(flags), 1);
            }
        }

        void tried() {
            add(TRIES, 1);
        }

        void retried() {
            add(RETRIES, 1);
        }

        void ejected() {
            add(EJECTIONS, 1);
        }

        void mirrored() {
            add(MIRRORED, 1);
        }
    }

    private final Map<Where, Destination> destinations = new ConcurrentHashMap<>();

    /** The counters of {@code proxy} for one destination, made on first use; a proxy keeps those it uses. */
    Destination destination(String proxy, String cluster, String endpoint) {
        return destinations.computeIfAbsent(new Where(proxy, cluster == null ? "-" : cluster, endpoint == null ? "-" : endpoint),
                w -> new Destination());
    }

    /** Every counter that counted something, sorted by proxy, cluster, endpoint and metric. */
    public List<Count> snapshot() {
        List<Count> counts = new ArrayList<>();
        destinations.forEach((where, destination) -> {
            for (int i = 0; i < destination.counts.length(); i++) {
                long value = destination.counts.getAcquire(i);
                if (value != 0) {
                    String metric = i < FLAGS ? METRICS[i] : "flag " + ResponseFlag.of(i - FLAGS).name();
                    counts.add(new Count(new Key(where.proxy(), where.cluster(), where.endpoint(), metric), value));
                }
            }
        });
        counts.sort(Comparator.comparing((Count c) -> c.key().proxy()).thenComparing(c -> c.key().cluster())
                .thenComparing(c -> c.key().endpoint()).thenComparing(c -> c.key().metric()));
        return counts;
    }

    /** The sum of a metric over every proxy and cluster, for one endpoint ({@code null}: all). */
    public long total(String endpoint, String metric) {
        return snapshot().stream().filter(c -> c.key().metric().equals(metric) && (endpoint == null || c.key().endpoint().equals(endpoint)))
                .mapToLong(Count::value).sum();
    }
}
