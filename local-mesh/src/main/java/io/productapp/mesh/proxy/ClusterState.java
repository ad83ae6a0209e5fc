package io.productapp.mesh.proxy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

import io.productapp.mesh.model.DestinationRule.ConnectionPool;
import io.productapp.mesh.model.DestinationRule.OutlierDetection;
import io.productapp.mesh.model.DestinationRule.Simple;
import io.productapp.mesh.route.ClusterSpec;
import io.productapp.mesh.route.Endpoint;
import io.productapp.mesh.route.Locality;
import io.productapp.mesh.route.LocalityLb;
import io.productapp.mesh.route.RetryPolicy;

/**
 * One upstream cluster as one proxy sees it, as Envoy keeps it per cluster: the circuit breakers
 * (requests in flight, requests waiting for a connection, retries in flight), outlier detection
 * (errors in a row per endpoint, ejections), and the load balancer's state. Used from the proxy's
 * event loop only.
 */
final class ClusterState {

    private final long created = System.nanoTime();
    private ClusterSpec spec;
    private int active;
    private int retriesActive;
    private final ArrayDeque<Runnable> pending = new ArrayDeque<>();
    private final Map<String, Host> hosts = new HashMap<>();
    private int roundRobin;
    /** The endpoints and their locality priorities, for the list of running endpoints they were made from. */
    private List<Endpoint> endpointsFrom;
    private List<Endpoint> endpoints;
    private int[] priorities;

    ClusterState(ClusterSpec spec) {
        this.spec = spec;
    }

    /**
     * Whether this state serves {@code definition}: the very instance it has, or an equal one from a
     * newer snapshot, which it takes from then on, so that the deep comparison runs once per
     * snapshot, not once per request.
     */
    boolean serves(ClusterSpec definition) {
        if (definition == spec) {
            return true;
        }
        if (!definition.equals(spec)) {
            return false;
        }
        spec = definition;
        return true;
    }

    /** Per-endpoint state: requests in flight, errors in a row, ejection. */
    static final class Host {
        int active;
        int consecutive5xx;
        int consecutiveGateway;
        long ejectedAt = -1;
        long ejectedFor;
        int timesEjected;
        long returnedAt = -1;
    }

    private Host host(Endpoint endpoint) {
        return hosts.computeIfAbsent(endpoint.name(), k -> new Host());
    }

    // ---- circuit breakers ----------------------------------------------------------------------

    /**
     * Admits a request to the cluster: runs {@code go} now when a connection is free, later when
     * one frees up (the request waits as pending), or returns false when the cluster overflows
     * (Envoy's 503 with flag UO).
     */
    boolean admit(Runnable go) {
        ConnectionPool pool = spec.connectionPool();
        if (active >= pool.maxRequests()) {
            return false;
        }
        if (active < pool.maxConnections()) {
            active++;
            go.run();
            return true;
        }
        if (pending.size() < pool.maxPendingRequests()) {
            pending.add(go);
            return true;
        }
        return false;
    }

    /** A request admitted earlier ended: its connection serves the next pending request. */
    void release() {
        active--;
        if (!pending.isEmpty() && active < spec.connectionPool().maxConnections()) {
            active++;
            pending.poll().run();
        }
    }

    /** A pending request gave up waiting (timeout): it leaves the queue. */
    boolean withdraw(Runnable go) {
        return pending.remove(go);
    }

    /** Whether one more retry may start (http.maxRetries retries in flight at most). */
    boolean admitRetry() {
        if (retriesActive >= spec.connectionPool().maxRetries()) {
            return false;
        }
        retriesActive++;
        return true;
    }

    void retryDone() {
        retriesActive--;
    }

    // ---- outlier detection --------------------------------------------------------------------------

    /** When an ejected {@code endpoint} returns to service (the {@link System#nanoTime()} clock); -1 when not ejected. */
    long returnsAt(Endpoint endpoint) {
        Host host = hosts.get(endpoint.name());
        OutlierDetection outlier = spec.outlierDetection().orElse(null);
        return host == null || host.ejectedAt < 0 || outlier == null ? -1 : back(host, outlier);
    }

    /** Envoy returns hosts at its interval sweep, the first one after the ejection time. */
    private long back(Host host, OutlierDetection outlier) {
        long interval = outlier.interval().toNanos();
        long due = host.ejectedAt + host.ejectedFor;
        return interval <= 0 ? due : created + ceilDiv(due - created, interval) * interval;
    }

    /** Whether {@code endpoint} is in service now (not ejected, or its ejection ended at a sweep). */
    boolean healthy(Endpoint endpoint, long now) {
        Host host = hosts.get(endpoint.name());
        if (host == null || host.ejectedAt < 0) {
            return true;
        }
        OutlierDetection outlier = spec.outlierDetection().orElse(null);
        long back = outlier == null ? host.ejectedAt + host.ejectedFor : back(host, outlier);
        if (outlier != null && now < back) {
            return false;
        }
        host.ejectedAt = -1;
        host.returnedAt = back;
        return true;
    }

    private static long ceilDiv(long a, long b) {
        return a <= 0 ? 0 : (a + b - 1) / b;
    }

    /**
     * Records how a try ended, for outlier detection: {@code status} of the answer, or 503/504 for
     * a connection failure or a timeout (Envoy counts them as 5xx). Returns true when this result
     * ejected the endpoint.
     */
    boolean record(Endpoint endpoint, int status, long now) {
        OutlierDetection outlier = spec.outlierDetection().orElse(null);
        if (outlier == null) {
            return false;
        }
        Host host = host(endpoint);
        if (host.returnedAt >= 0 && host.timesEjected > 0) {
            // Each sweep with the host back in service takes one off its ejection count.
            long sweeps = (now - host.returnedAt) / Math.max(1, outlier.interval().toNanos());
            host.timesEjected = (int) Math.max(0, host.timesEjected - sweeps);
            if (sweeps > 0) {
                host.returnedAt = now;
            }
        }
        boolean error5xx = status >= 500;
        boolean gatewayError = status == 502 || status == 503 || status == 504;
        host.consecutive5xx = error5xx ? host.consecutive5xx + 1 : 0;
        host.consecutiveGateway = gatewayError ? host.consecutiveGateway + 1 : 0;
        boolean reached = (outlier.consecutive5xxErrors() > 0 && host.consecutive5xx == outlier.consecutive5xxErrors())
                || (outlier.consecutiveGatewayErrors() > 0 && host.consecutiveGateway == outlier.consecutiveGatewayErrors());
        if (!reached) {
            return false;
        }
        host.consecutive5xx = 0;
        host.consecutiveGateway = 0;
        if (host.ejectedAt >= 0 || !mayEject(outlier, now)) {
            return false;
        }
        host.timesEjected++;
        host.ejectedAt = now;
        Duration time = outlier.baseEjectionTime().multipliedBy(host.timesEjected);
        host.ejectedFor = Math.min(time.toNanos(), outlier.maxEjectionTime().toNanos());
        host.returnedAt = -1;
        return true;
    }

    /** Envoy ejects only while ejected hosts, this one included, stay within maxEjectionPercent. */
    private boolean mayEject(OutlierDetection outlier, long now) {
        int total = Math.max(1, hosts.size());
        long ejected = hosts.values().stream().filter(h -> h.ejectedAt >= 0).count();
        return 100.0 * (ejected + 1) / total <= outlier.maxEjectionPercent();
    }

    /** Makes sure every endpoint counts for the ejection share, even one not called yet. */
    void know(List<Endpoint> endpoints) {
        endpoints.forEach(this::host);
    }

    // ---- load balancing ---------------------------------------------------------------------------

    /** This cluster's endpoints among {@code running} (remembered while the running list stays the same). */
    List<Endpoint> endpoints(List<Endpoint> running, Locality source) {
        if (running != endpointsFrom) {
            endpoints = spec.endpoints(running);
            priorities = LocalityLb.priorities(source, endpoints, spec.localitySetting(), spec.outlierDetection().isPresent());
            know(endpoints);
            endpointsFrom = running;
        }
        return endpoints;
    }

    /**
     * The endpoint for the next try, or null when none is healthy (503 UH): locality priorities,
     * then the cluster's load-balancing policy; with {@code previousHosts}, up to
     * {@value RetryPolicy#HOST_SELECTION_ATTEMPTS} draws to find one not tried yet.
     */
    Endpoint pick(Locality source, List<Endpoint> running, Set<String> tried, boolean previousHosts, RandomGenerator random) {
        List<Endpoint> endpoints = endpoints(running, source);
        long now = System.nanoTime();
        int[] priority = priorities;
        Endpoint chosen = null;
        int attempts = previousHosts && !tried.isEmpty() ? RetryPolicy.HOST_SELECTION_ATTEMPTS : 1;
        for (int i = 0; i < attempts; i++) {
            List<Endpoint> candidates = LocalityLb.candidates(source, endpoints, priority, e -> healthy(e, now),
                    spec.localitySetting(), random);
            if (candidates.isEmpty()) {
                return null;
            }
            chosen = choose(candidates, random);
            if (!tried.contains(chosen.name())) {
                return chosen;
            }
        }
        return chosen;
    }

    private Endpoint choose(List<Endpoint> candidates, RandomGenerator random) {
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        Simple policy = spec.loadBalancing();
        return switch (policy) {
            case ROUND_ROBIN -> candidates.get(Math.floorMod(roundRobin++, candidates.size()));
            case RANDOM, PASSTHROUGH -> candidates.get(random.nextInt(candidates.size()));
            default -> { // LEAST_REQUEST: the less busy of two drawn at random
                Endpoint a = candidates.get(random.nextInt(candidates.size()));
                Endpoint b = candidates.get(random.nextInt(candidates.size()));
                yield host(b).active < host(a).active ? b : a;
            }
        };
    }

    void started(Endpoint endpoint) {
        host(endpoint).active++;
    }

    void finished(Endpoint endpoint) {
        host(endpoint).active--;
    }
}
