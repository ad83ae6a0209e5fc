package io.productapp.downstream;

import java.util.List;
import java.util.Locale;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.smallrye.common.vertx.ContextLocals;
import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.MultiMap;

/**
 * Forwards the listed headers of the request being served to every call made while serving it:
 * Istio's trace context, so Envoy can join the spans of one page view, and {@code user-type},
 * which the header-based-routing scenario routes on. The list is configured once for every
 * service, {@code productapp.propagate-headers}, and no call site copies a header.
 * <p>
 * Quarkus serves each HTTP request on its own duplicated Vert.x context. A route filter keeps the
 * incoming headers there, and {@link Downstream} reads them back when it sends, so concurrent
 * requests never see each other's headers.
 */
@Singleton
public class HeaderPropagation {

    private static final String INCOMING = HeaderPropagation.class.getName() + ".incoming";
    /** Before any application route; the value only orders filters among themselves. */
    private static final int FILTER_PRIORITY = 10_000;

    private final String[] names;

    public HeaderPropagation(@ConfigProperty(name = "productapp.propagate-headers") List<String> names) {
        this.names = names.stream().map(String::trim).filter(n -> !n.isEmpty())
                .map(n -> n.toLowerCase(Locale.ROOT)).distinct().toArray(String[]::new);
    }

    void captureIncomingHeaders(@Observes Filters filters) {
        filters.register(routing -> {
            remember(routing.request().headers());
            routing.next();
        }, FILTER_PRIORITY);
    }

    /** Keeps the headers of the request being served on its (duplicated) Vert.x context. */
    public static void remember(MultiMap incoming) {
        if (VertxContext.isOnDuplicatedContext()) {
            ContextLocals.put(INCOMING, incoming);
        }
    }

    /** Copies the listed headers of the request being served, when there is one, into {@code outgoing}. */
    void applyTo(MultiMap outgoing) {
        if (!VertxContext.isOnDuplicatedContext()) {
            return;
        }
        MultiMap incoming = ContextLocals.get(INCOMING, null);
        if (incoming == null) {
            return;
        }
        for (String name : names) {
            if (incoming.contains(name)) {
                outgoing.set(name, incoming.getAll(name));
            }
        }
    }
}
