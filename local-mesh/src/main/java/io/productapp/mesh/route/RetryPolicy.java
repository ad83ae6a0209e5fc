package io.productapp.mesh.route;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

import io.productapp.mesh.model.VirtualService.Retries;

/**
 * Envoy's retry policy as Istio writes it for a route (istio/istio
 * {@code pilot/pkg/networking/core/route/retry/retry.go}): with no {@code retries}, 2 retries on
 * {@code connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes} with no
 * status code listed, preferring endpoints not tried yet; {@code attempts} sets the count
 * ({@code 0}: none), {@code retryOn} replaces the conditions (plain numbers become retriable
 * status codes), {@code perTryTimeout} bounds each try.
 *
 * @param retries retries after the first try
 * @param conditions Envoy {@code retry_on} names
 * @param statusCodes retriable status codes
 * @param perTryTimeout bound on each try, or null
 * @param previousHosts whether a retry prefers an endpoint not tried yet
 * @param baseBackoff base of Envoy's jittered exponential back-off (25 ms)
 */
public record RetryPolicy(int retries, Set<String> conditions, Set<Integer> statusCodes, Duration perTryTimeout,
        boolean previousHosts, Duration baseBackoff) {

    static final List<String> DEFAULT_CONDITIONS = List.of("connect-failure", "refused-stream", "unavailable", "cancelled",
            "retriable-status-codes");
    public static final Duration DEFAULT_BACKOFF = Duration.ofMillis(25);
    /** Envoy tries this many endpoints at most when looking for one not tried yet. */
    public static final int HOST_SELECTION_ATTEMPTS = 5;

    public static final RetryPolicy DEFAULT = new RetryPolicy(2, Set.copyOf(DEFAULT_CONDITIONS), Set.of(), null, true,
            DEFAULT_BACKOFF);
    public static final RetryPolicy NONE = new RetryPolicy(0, Set.of(), Set.of(), null, false, DEFAULT_BACKOFF);

    public RetryPolicy {
        conditions = Set.copyOf(conditions);
        statusCodes = Set.copyOf(statusCodes);
    }

    /** What ended a try without an answer from the endpoint. */
    public enum Reset {
        /** The connection could not be made (refused, or not within the connect timeout): UF. */
        CONNECT_FAILURE,
        /** The connection broke before the answer's headers: UC. */
        RESET,
        /** The try took longer than the per-try timeout: UT. */
        PER_TRY_TIMEOUT,
        /** The connection pool was full: UO. Never retried. */
        OVERFLOW
    }

    /** Istio's translation of a VirtualService rule's {@code retries} (null: none written). */
    public static RetryPolicy of(Retries retries) {
        if (retries == null) {
            return DEFAULT;
        }
        if (retries.attempts() <= 0) {
            return NONE;
        }
        Set<String> conditions = new LinkedHashSet<>(DEFAULT_CONDITIONS);
        Set<Integer> codes = new LinkedHashSet<>();
        if (retries.retryOn() != null && !retries.retryOn().isBlank()) {
            conditions.clear();
            for (String token : retries.retryOn().split(",")) {
                String condition = token.trim();
                if (condition.matches("\\d{3}")) {
                    codes.add(Integer.parseInt(condition));
                    conditions.add("retriable-status-codes");
                } else if (!condition.isEmpty()) {
                    conditions.add(condition);
                }
            }
        }
        boolean previousHosts = retries.retryIgnorePreviousHosts() == null || retries.retryIgnorePreviousHosts();
        return new RetryPolicy(retries.attempts(), conditions, codes, retries.perTryTimeout(), previousHosts,
                retries.backoff() != null ? retries.backoff() : DEFAULT_BACKOFF);
    }

    /** Whether an answer with this status is retried (Envoy's {@code wouldRetryFromHeaders} for HTTP/1.1). */
    public boolean retriesStatus(int status) {
        return (conditions.contains("5xx") && status >= 500)
                || (conditions.contains("gateway-error") && (status == 502 || status == 503 || status == 504))
                || (conditions.contains("retriable-4xx") && status == 409)
                || (conditions.contains("retriable-status-codes") && statusCodes.contains(status));
    }

    /** Whether a try that ended without an answer is retried (Envoy's {@code wouldRetryFromReset}). */
    public boolean retriesReset(Reset reset) {
        if (reset == Reset.OVERFLOW) {
            return false;
        }
        if (conditions.contains("5xx") || conditions.contains("gateway-error") || conditions.contains("reset")) {
            return true;
        }
        return reset == Reset.CONNECT_FAILURE && (conditions.contains("connect-failure") || conditions.contains("reset-before-request"));
    }

    /** The wait before retry number {@code retry} (1, 2, ...): uniform in [0, base x 2^(retry-1)), capped at 10 x base. */
    public Duration backoff(int retry, RandomGenerator random) {
        long base = baseBackoff.toMillis();
        long interval = Math.min(base * (1L << Math.min(retry - 1, 20)), base * 10);
        return Duration.ofMillis(interval <= 0 ? 0 : random.nextLong(interval));
    }
}
