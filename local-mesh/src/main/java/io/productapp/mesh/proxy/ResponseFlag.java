package io.productapp.mesh.proxy;

import java.util.Map;
import java.util.TreeMap;

/**
 * Envoy's response flags that the local mesh sets, in the order Envoy prints them
 * ({@code %RESPONSE_FLAGS%}: short names joined by commas, {@code -} for none). A request's flags
 * are a bit mask of these, kept in its {@link StreamInfo}.
 */
public enum ResponseFlag {
    /** No healthy upstream: the cluster has no endpoint, or every one is ejected (503). */
    UH,
    /** The route timeout or a per-try timeout ran out (504). */
    UT,
    /** The connection to the upstream could not be made (503). */
    UF,
    /** The upstream closed or reset the connection before its answer (503). */
    UC,
    /** A circuit breaker overflowed: the connection pool, or the retry budget (503). */
    UO,
    /** No route: the host's VirtualService has no rule that matches (404). */
    NR,
    /** The fault filter held the request (delay). */
    DI,
    /** The fault filter answered for the upstream (abort). */
    FI,
    /** The caller went away before the answer. */
    DC,
    /** Retries ran out; the last try's answer went back. */
    URX,
    /** The route names a cluster that does not exist (a subset no DestinationRule defines) (503). */
    NC;

    private static final ResponseFlag[] ALL = values();

    int bit() {
        return 1 << ordinal();
    }

    boolean in(int mask) {
        return (mask & bit()) != 0;
    }

    /** As Envoy's access log prints {@code mask}: {@code UT,URX}, or {@code -}. */
    static String format(int mask) {
        if (mask == 0) {
            return "-";
        }
        StringBuilder text = new StringBuilder();
        for (ResponseFlag flag : ALL) {
            if (flag.in(mask)) {
                if (!text.isEmpty()) {
                    text.append(',');
                }
                text.append(flag.name());
            }
        }
        return text.toString();
    }

    /** The flags counted in {@code byOrdinal} (a count per flag, by ordinal), by name; zero counts left out. */
    static Map<String, Long> counts(long[] byOrdinal) {
        Map<String, Long> counts = new TreeMap<>();
        for (ResponseFlag flag : ALL) {
            if (byOrdinal[flag.ordinal()] > 0) {
                counts.put(flag.name(), byOrdinal[flag.ordinal()]);
            }
        }
        return counts;
    }

    static int size() {
        return ALL.length;
    }

    static ResponseFlag of(int ordinal) {
        return ALL[ordinal];
    }
}
