package io.productapp.mesh.proxy;

import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import org.luaj.vm2.LuaError;

import io.productapp.mesh.model.EnvoyFilter.Context;
import io.productapp.mesh.route.ClusterRef;
import io.productapp.mesh.route.ClusterSpec;
import io.productapp.mesh.route.Endpoint;
import io.productapp.mesh.route.Locality;
import io.productapp.mesh.route.RouteRequest;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.impl.ContextInternal;

/**
 * One proxy of the data plane: a workload instance's outbound sidecar, or the ingress gateway.
 * It listens on its own port on 127.0.0.1 and forwards each request as the configuration in force
 * says ({@link Downstream}). A sidecar takes requests in the absolute form an HTTP client sends to
 * its proxy ({@code GET http://catalogdetail:3000/catalogDetail}); the gateway takes them as a
 * server does, by their {@code Host} header.
 * <p>
 * Everything a proxy keeps — cluster state, Lua states, its random generator — is used from the
 * one event loop its server and its upstream connections run on, as an Envoy worker keeps its own.
 */
public final class Proxy {

    /** The largest request headers accepted, as Envoy's default max_request_headers_kb (60 KiB). */
    static final int MAX_HEADER_BYTES = 60 * 1024;

    public enum Kind {
        SIDECAR, INGRESS
    }

    /**
     * Who the proxy is.
     *
     * @param name {@code productcatalog-0}, {@code istio-ingressgateway}
     * @param kind sidecar or ingress gateway
     * @param namespace the workload's namespace
     * @param labels the workload's pod labels (VirtualService sourceLabels, EnvoyFilter selectors,
     *        Gateway selectors)
     * @param locality where it runs, for locality load balancing
     * @param gatewayPort for the ingress gateway: the Gateway server port it plays (80)
     */
    public record Identity(String name, Kind kind, String namespace, Map<String, String> labels, Locality locality,
            int gatewayPort) {
        public Identity {
            labels = Map.copyOf(labels);
        }

        /** How the proxy's access log and counters name it: {@code sidecar productcatalog-0}. */
        public String label() {
            return (kind == Kind.SIDECAR ? "sidecar " : "ingress ") + name;
        }
    }

    private final Identity identity;
    private final DataPlane plane;
    private final io.vertx.core.Context context;
    private final int eventLoop;
    private final Telemetry telemetry;
    private final SplittableRandom random;
    private final Map<ClusterRef, ClusterState> clusters = new HashMap<>();
    private final Map<String, LuaFilter> lua = new HashMap<>();
    /** HTTP/1 connections closing after a refusal: requests read after the refused one are not served. */
    private final Set<HttpConnection> closing = Collections.newSetFromMap(new IdentityHashMap<>());
    private HttpServer server;
    private UpstreamConnections upstream;
    /** The routing source for the snapshot it was made for (a sidecar's never changes; the ingress' follows the Gateways). */
    private Snapshot sourceFor;
    private RouteRequest.Source source;
    /** The Lua patches that run on this proxy, for the snapshot they were found in. */
    private Snapshot luaFor;
    private java.util.List<Snapshot.Lua> luaPatches;

    Proxy(Identity identity, DataPlane plane, io.vertx.core.Context context, int eventLoop, AccessLog accessLog, long seed) {
        this.identity = identity;
        this.plane = plane;
        this.context = context;
        this.eventLoop = eventLoop;
        this.telemetry = new Telemetry(identity.label(), identity.name(), accessLog, plane.stats(), plane.traffic());
        this.random = new SplittableRandom(seed);
    }

    /** Starts listening on {@code port} of 127.0.0.1 (0: any free port); completes with the port. Call on the proxy's context. */
    Future<Integer> listen(int port) {
        upstream = new UpstreamConnections((ContextInternal) context, vertx().isNativeTransportEnabled(), MAX_HEADER_BYTES);
        server = vertx().createHttpServer(new HttpServerOptions()
                .setHost("127.0.0.1")
                .setMaxInitialLineLength(MAX_HEADER_BYTES)
                .setMaxHeaderSize(MAX_HEADER_BYTES)
                // No proxy here upgrades a connection to WebSocket: without these, Vert.x puts a
                // WebSocket extension handshaker in the path of every request read.
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false)
                // Idle means nothing read: Vert.x then puts no listener on every write, as it does for an
                // idle timeout that counts writes too.
                .setReadIdleTimeout(300));
        server.requestHandler(request -> {
            if (!closing.contains(request.connection())) {
                new Downstream(this, request).start();
            }
        });
        return server.listen(port).map(HttpServer::actualPort);
    }

    /**
     * Closes an HTTP/1 connection once its refusal has gone. Vert.x hands over the next pipelined
     * request as the refusal ends: it was read past bytes the proxy does not trust (a body framed
     * another way, a tunnel's payload), so it is never served, as Envoy stops reading there.
     */
    void closeAfterRefusal(HttpConnection connection) {
        if (closing.add(connection)) {
            connection.closeHandler(v -> closing.remove(connection));
        }
    }

    Future<Void> close() {
        Promise<Void> closed = Promise.promise();
        Future<Void> serverClosed = server == null ? Future.succeededFuture() : server.close();
        serverClosed.onComplete(v -> context.runOnContext(c -> {
            if (upstream != null) {
                upstream.close();
            }
            closed.tryComplete();
        }));
        return closed.future();
    }

    public Identity identity() {
        return identity;
    }

    public int port() {
        return server == null ? -1 : server.actualPort();
    }

    DataPlane plane() {
        return plane;
    }

    /** The context the proxy's server and upstream connections run on. */
    io.vertx.core.Context context() {
        return context;
    }

    /** Which of the data plane's event loops it runs on. */
    int eventLoop() {
        return eventLoop;
    }

    Vertx vertx() {
        return context.owner();
    }

    /**
     * Sends a request to {@code endpoint} on the proxy's upstream connections. From the send to its
     * one outcome it counts as on its way to the endpoint ({@link DataPlane#inFlightTo}), the count a
     * terminating pod waits on; it leaves the count just before {@code exchange} hears the outcome.
     */
    UpstreamConnections.Request send(Endpoint endpoint, HttpMethod method, String uri, MultiMap headers, Buffer body,
            long connectTimeoutMillis, UpstreamConnections.Exchange exchange) {
        AtomicInteger load = plane.load(endpoint.name());
        load.incrementAndGet();
        return upstream.send(endpoint.host(), endpoint.port(), method, uri, headers, body, connectTimeoutMillis,
                new UpstreamConnections.Exchange() {
                    @Override
                    public void answered(int status, MultiMap answerHeaders, Buffer answerBody) {
                        load.decrementAndGet();
                        exchange.answered(status, answerHeaders, answerBody);
                    }

                    @Override
                    public void failed(Throwable cause) {
                        load.decrementAndGet();
                        exchange.failed(cause);
                    }
                });
    }

    /** The proxy's generator; each request splits its own from it. */
    SplittableRandom random() {
        return random;
    }

    AccessLog accessLog() {
        return telemetry.accessLog();
    }

    Telemetry telemetry() {
        return telemetry;
    }

    /**
     * The proxy's state of a cluster, kept across requests while its definition stays the same;
     * a new definition (another policy or subset, from an apply) starts afresh, as Envoy replaces
     * a cluster whose configuration changed.
     */
    ClusterState cluster(ClusterSpec spec) {
        ClusterState state = clusters.get(spec.ref());
        if (state == null || !state.serves(spec)) {
            state = new ClusterState(spec);
            clusters.put(spec.ref(), state);
        }
        return state;
    }

    /** The source the router routes from: a sidecar's workload, or the Gateways that select this ingress. */
    RouteRequest.Source source(Snapshot snapshot) {
        if (snapshot != sourceFor) {
            source = identity.kind() == Kind.SIDECAR ? RouteRequest.Source.sidecar(identity.namespace(), identity.labels())
                    : new RouteRequest.Source(snapshot.gatewaysSelecting(identity.labels()), identity.namespace(), identity.labels());
            sourceFor = snapshot;
        }
        return source;
    }

    /**
     * Runs the Lua filters of this proxy on a request's headers, in order; each filter's state is
     * made (its top-level code run) on first use. Says whether one made a local reply, and
     * whether they changed the headers.
     *
     * @throws LuaError when a script fails
     */
    LuaFilter.Outcome runLua(Snapshot snapshot, MultiMap headers) {
        if (snapshot != luaFor) {
            Context where = identity.kind() == Kind.SIDECAR ? Context.SIDECAR_OUTBOUND : Context.GATEWAY;
            luaPatches = snapshot.luaFor(identity.labels(), identity.namespace(), where);
            luaFor = snapshot;
        }
        if (luaPatches.isEmpty()) {
            return LuaFilter.Outcome.UNCHANGED;
        }
        boolean changed = false;
        for (Snapshot.Lua filter : luaPatches) {
            LuaFilter state = lua.computeIfAbsent(filter.key(), k -> new LuaFilter(filter.describe(), filter.patch().luaSource()));
            LuaFilter.Outcome outcome = state.onRequest(headers);
            changed |= outcome.headersChanged();
            if (outcome.reply() != null) {
                return new LuaFilter.Outcome(outcome.reply(), changed);
            }
        }
        return changed ? LuaFilter.Outcome.CHANGED : LuaFilter.Outcome.UNCHANGED;
    }
}
