package io.productapp.mesh.proxy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.random.RandomGenerator;

import io.productapp.mesh.route.RetryPolicy;
import io.productapp.mesh.route.RetryPolicy.Reset;

/**
 * One request's retries, as Envoy's RetryState keeps them: the route's policy, the tries made and
 * the endpoints they went to (for the previous-hosts preference), and after each try the decision:
 * answer, retry, or give up because the retries ran out (URX) or the cluster's retry budget is
 * spent (UO).
 */
final class RetryState {

    /** What to do after a try. */
    enum Decision {
        /** The try's result is the answer: the policy does not retry it. */
        ANSWER,
        /** Retry, after the back-off. */
        RETRY,
        /** The policy would retry, but the retries ran out: the result goes back with flag URX. */
        LIMIT_EXCEEDED,
        /** The policy would retry, but the cluster's {@code maxRetries} are in flight: the result goes back with flag UO. */
        OVERFLOW
    }

    private final RetryPolicy policy;
    private final ClusterState cluster;
    private final Set<String> tried = new HashSet<>(4);
    private int tries;

    RetryState(RetryPolicy policy, ClusterState cluster) {
        this.policy = policy;
        this.cluster = cluster;
    }

    /** A try starts to {@code endpoint}. */
    void started(String endpoint) {
        tries++;
        tried.add(endpoint);
    }

    int tries() {
        return tries;
    }

    /** The endpoints tried so far. */
    Set<String> tried() {
        return tried;
    }

    /** Whether the next try should prefer an endpoint not tried yet. */
    boolean previousHosts() {
        return policy.previousHosts();
    }

    Duration perTryTimeout() {
        return policy.perTryTimeout();
    }

    /** The decision after a try; a {@link Decision#RETRY} holds one of the cluster's retries until {@link #retryStarted}. */
    Decision decide(UpstreamTry.Result result) {
        boolean wanted = switch (result.outcome()) {
            case ANSWERED -> policy.retriesStatus(result.status());
            case CONNECT_FAILURE -> policy.retriesReset(Reset.CONNECT_FAILURE);
            case RESET -> policy.retriesReset(Reset.RESET);
            case PER_TRY_TIMEOUT -> policy.retriesReset(Reset.PER_TRY_TIMEOUT);
            case ROUTE_TIMEOUT, CANCELLED -> false;
        };
        if (!wanted) {
            return Decision.ANSWER;
        }
        if (tries > policy.retries()) {
            return Decision.LIMIT_EXCEEDED;
        }
        return cluster.admitRetry() ? Decision.RETRY : Decision.OVERFLOW;
    }

    /** The wait before the next try (Envoy's jittered exponential back-off). */
    Duration backoff(RandomGenerator random) {
        return policy.backoff(tries, random);
    }

    /** The retry admitted by {@link #decide} leaves the cluster's retry budget (its try is about to start). */
    void retryStarted() {
        cluster.retryDone();
    }
}
