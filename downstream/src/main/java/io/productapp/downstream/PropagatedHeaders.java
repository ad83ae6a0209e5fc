package io.productapp.downstream;

import java.util.List;
import java.util.Locale;

import jakarta.inject.Singleton;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.ext.ClientHeadersFactory;

/**
 * Forwards the listed headers of the request being served to every call a REST client makes
 * while serving it ({@code @RegisterClientHeaders(PropagatedHeaders.class)}): Istio's trace
 * context, so Envoy can join the spans of one page view, and {@code user-type}, which the
 * header-based-routing scenario routes on. The list is configured once for every service,
 * {@code productapp.propagate-headers}, and read once, here.
 * <p>
 * MicroProfile's own {@code propagateHeaders} would do the same with the default factory, but
 * that factory looks the setting up in the configuration and splits it again on every call.
 */
@Singleton // called on every call: no client proxy in front of it
public class PropagatedHeaders implements ClientHeadersFactory {

    private final List<String> names;

    PropagatedHeaders(@ConfigProperty(name = "productapp.propagate-headers") List<String> names) {
        this.names = names.stream().map(String::trim).filter(n -> !n.isEmpty())
                .map(n -> n.toLowerCase(Locale.ROOT)).distinct().toList();
    }

    /**
     * The listed headers of {@code incoming} (case-insensitive: the server's request headers),
     * empty when the call is made outside any request.
     */
    @Override
    public MultivaluedMap<String, String> update(MultivaluedMap<String, String> incoming,
            MultivaluedMap<String, String> outgoing) {
        MultivaluedMap<String, String> forwarded = null;
        for (String name : names) {
            List<String> values = incoming.isEmpty() ? null : incoming.get(name);
            if (values != null && !values.isEmpty()) {
                if (forwarded == null) {
                    forwarded = new MultivaluedHashMap<>();
                }
                forwarded.put(name, values);
            }
        }
        return forwarded == null ? new MultivaluedHashMap<>() : forwarded;
    }
}
