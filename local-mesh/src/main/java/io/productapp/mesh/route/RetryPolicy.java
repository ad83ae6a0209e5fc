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
 * <p>
 * Its parts: the retries after the first try, Envoy's {@code retry_on} names, the retriable status
 * codes, the bound on each try (or null), whether a retry prefers an endpoint not tried yet, and
 * the base of Envoy's jittered exponential back-off (25 ms). Immutable; the conditions are read
 * once, when it is made, not on every try.
 */
public final class RetryPolicy {

    static final List<String> DEFAULT_CONDITIONS = List.of("connect-failure", "refused-stream", "unavailable", "cancelled",
            "retriable-status-codes");
    public static final Duration DEFAULT_BACKOFF = Duration.ofMillis(25);
    /** Envoy tries this many endpoints at most when looking for one not tried yet. */
    public static final int HOST_SELECTION_ATTEMPTS = 5;

    public static final RetryPolicy DEFAULT = new RetryPolicy(2, Set.copyOf(DEFAULT_CONDITIONS), Set.of(), null, true,
            DEFAULT_BACKOFF);
    public static final RetryPolicy NONE = new RetryPolicy(0, Set.of(), Set.of(), null, false, DEFAULT_BACKOFF);

    private final int retries;
    private final Set<String> conditions;
    private final Set<Integer> statusCodes;
    private final Duration perTryTimeout;
    private final boolean previousHosts;
    private final Duration baseBackoff;
    // The conditions as the per-try decision reads them, worked out once.
    private final boolean on5xx;
    private final boolean onGatewayError;
    private final boolean onRetriable4xx;
    private final boolean onStatusCodes;
    private final boolean onAnyReset;
    private final boolean onConnectFailure;

    public RetryPolicy(int retries, Set<String> conditions, Set<Integer> statusCodes, Duration perTryTimeout, boolean previousHosts,
            Duration baseBackoff) {
        this.retries = retries;
        this.conditions = Set.copyOf(conditions);
        this.statusCodes = Set.copyOf(statusCodes);
        this.perTryTimeout = perTryTimeout;
        this.previousHosts = previousHosts;
        this.baseBackoff = baseBackoff;
        on5xx = conditions.contains("5xx");
        onGatewayError = conditions.contains("gateway-error");
        onRetriable4xx = conditions.contains("retriable-4xx");
        onStatusCodes = conditions.contains("retriable-status-codes") && !statusCodes.isEmpty();
        onAnyReset = on5xx || onGatewayError || conditions.contains("reset");
        onConnectFailure = conditions.contains("connect-failure") || conditions.contains("reset-before-request");
    }

    public int retries() {
        return retries;
    }

    public Set<String> conditions() {
        return conditions;
    }

    public Set<Integer> statusCodes() {
        return statusCodes;
    }

    public Duration perTryTimeout() {
        return perTryTimeout;
    }

    public boolean previousHosts() {
        return previousHosts;
    }

    public Duration baseBackoff() {
        return baseBackoff;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RetryPolicy p && p.retries == retries && p.conditions.equals(conditions)
                && p.statusCodes.equals(statusCodes) && java.util.Objects.equals(p.perTryTimeout, perTryTimeout)
                && p.previousHosts == previousHosts && p.baseBackoff.equals(baseBackoff);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(retries, conditions, statusCodes, perTryTimeout, previousHosts, baseBackoff);
    }

    @Override
    public String toString() {
        return "RetryPolicy[retries=" + retries + ", conditions=" + conditions + ", statusCodes=" + statusCodes + ", perTryTimeout="
                + perTryTimeout + ", previousHosts=" + previousHosts + ", baseBackoff=" + baseBackoff + "]";
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
        return (on5xx && status >= 500)
                || (onGatewayError && (status == 502 || status == 503 || status == 504))
                || (onRetriable4xx && status == 409)
                || (onStatusCodes && statusCodes.contains(status));
    }

    /** Whether a try that ended without an answer is retried (Envoy's {@code wouldRetryFromReset}). */
    public boolean retriesReset(Reset reset) {
        if (reset == Reset.OVERFLOW) {
            return false;
        }
        return onAnyReset || reset == Reset.CONNECT_FAILURE && onConnectFailure;
    }

    /** The wait before retry number {@code retry} (1, 2, ...): uniform in [0, base x 2^(retry-1)), capped at 10 x base. */
    public Duration backoff(int retry, RandomGenerator random) {
        long base = baseBackoff.toMillis();
        long interval = Math.min(base * (1L << Math.min(retry - 1, 20)), base * 10);
        return Duration.ofMillis(interval <= 0 ? 0 : random.nextLong(interval));
    }
}
