package io.productapp.warmup;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import io.quarkus.vertx.http.HttpServerStart;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * The service's warm-up: once its HTTP server listens, it sends itself requests on its main path
 * ({@link WarmUpConfig#path()}) over loopback, through the same HTTP server, resource, REST client
 * and serialisation a client's request takes, until {@link WarmUpConfig#requests()} have been
 * answered 2xx or {@link WarmUpConfig#timeout()} has passed. Until then {@link WarmUpCheck} keeps
 * the service's readiness DOWN, so neither Kubernetes nor the local mesh sends it traffic while
 * its JIT still interprets the request path: a cold JVM answers its first pages in hundreds of
 * milliseconds where a warm one takes one or two. Liveness is not affected.
 *
 * <p>A service that calls another warms that call too (productcatalog's page asks catalogdetail,
 * frontend's asks productcatalog); while the other is not ready yet, the answers are not 2xx and
 * the lane pauses ({@link WarmUpConfig#retryPause()}) before it asks again. The bound makes the
 * service ready anyway when the other stays down: a pod's readiness must not wait on another's.
 */
@ApplicationScoped
public class WarmUp {

    private static final Logger LOG = Logger.getLogger(WarmUp.class);
    /** Sent with every warm-up request, so access logs can tell them from clients' requests. */
    static final String USER_AGENT = "productapp-warm-up";

    /** Where the warm-up stands, as the readiness check reports it. */
    public record Progress(boolean done, int sent, int answered, long millis) {
    }

    private final Vertx vertx;
    private final WarmUpConfig config;
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    private volatile boolean started;
    private volatile boolean done;
    private volatile long startNanos = System.nanoTime();
    private volatile long endNanos;
    private HttpClient client;

    @Inject
    public WarmUp(Vertx vertx, WarmUpConfig config) {
        this.vertx = vertx;
        this.config = config;
        if (config.requests() < 0) {
            throw new IllegalArgumentException("productapp.warm-up.requests must be 0 or more, got " + config.requests());
        }
        if (config.concurrency() < 1) {
            throw new IllegalArgumentException("productapp.warm-up.concurrency must be 1 or more, got " + config.concurrency());
        }
        config.path().ifPresent(path -> {
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("productapp.warm-up.path must start with '/', got '" + path + "'");
            }
        });
        if (!enabled()) {
            finish();
        }
    }

    private boolean enabled() {
        return config.path().isPresent() && config.requests() > 0;
    }

    /** Starts the warm-up once the HTTP server listens (fired asynchronously by Quarkus). */
    void onHttpServerStart(@ObservesAsync HttpServerStart start) {
        if (done || started) {
            return;
        }
        int port = start.options().getPort() > 0 ? start.options().getPort()
                : ConfigProvider.getConfig().getValue("quarkus.http.port", Integer.class);
        String host = loopbackFor(start.options().getHost());
        begin(host, port);
    }

    /** The address to reach a server bound to {@code bound} from the same machine. */
    static String loopbackFor(String bound) {
        return bound == null || bound.isEmpty() || bound.equals("0.0.0.0") || bound.equals("::") || bound.equals("[::]")
                ? "127.0.0.1" : bound;
    }

    private synchronized void begin(String host, int port) {
        if (started) {
            return;
        }
        started = true;
        startNanos = System.nanoTime();
        client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(host).setDefaultPort(port)
                .setKeepAlive(true).setMaxPoolSize(config.concurrency()));
        vertx.setTimer(timeoutMillis(), id -> finish());
        LOG.debugf("warm-up: %d answers on http://%s:%d%s, at most %s", config.requests(), host, port, config.path().get(),
                config.timeout());
        for (int lane = 0; lane < config.concurrency(); lane++) {
            next();
        }
    }

    /** The bound on the whole warm-up, and so on each of its requests. */
    private long timeoutMillis() {
        return Math.max(1, config.timeout().toMillis());
    }

    /** One lane's next request, unless the warm-up is over. */
    private void next() {
        if (done) {
            return;
        }
        sent.incrementAndGet();
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setURI(config.path().get())
                .putHeader("user-agent", USER_AGENT).setTimeout(timeoutMillis());
        client.request(request)
                .compose(req -> req.send().compose(response -> response.body().map(body -> response.statusCode())))
                .onComplete(result -> {
                    boolean ok = result.succeeded() && result.result() / 100 == 2;
                    if (ok && answered.incrementAndGet() >= config.requests()) {
                        finish();
                    } else if (ok) {
                        next();
                    } else {
                        vertx.setTimer(Math.max(1, config.retryPause().toMillis()), id -> next());
                    }
                });
    }

    private synchronized void finish() {
        if (done) {
            return;
        }
        done = true;
        endNanos = System.nanoTime();
        if (client != null) {
            client.close();
            LOG.infof("warm-up: %d of %d requests answered 2xx in %d ms; ready", answered.get(), sent.get(),
                    progress().millis());
        }
    }

    /** Where the warm-up stands now. */
    public Progress progress() {
        long end = done ? endNanos : System.nanoTime();
        return new Progress(done, sent.get(), answered.get(), Duration.ofNanos(end - startNanos).toMillis());
    }

    /** The number of 2xx answers the warm-up waits for (0: none). */
    public int target() {
        return enabled() ? config.requests() : 0;
    }
}
