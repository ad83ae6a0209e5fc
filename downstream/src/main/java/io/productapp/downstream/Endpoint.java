package io.productapp.downstream;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * Where a downstream service answers and how long to wait for it.
 *
 * @param name the service, as messages name it ({@code catalogdetail})
 * @param setting the setting that gave the URL ({@code AGG_APP_URL}), named when it is wrong
 * @param url the absolute {@code http://} URL called, path included
 * @param connectTimeout bound on opening a connection
 * @param answerTimeout bound on waiting for the answer (no byte for this long fails the call)
 * @param maxConnections pooled keep-alive connections at most
 */
public record Endpoint(String name, String setting, String url, Duration connectTimeout, Duration answerTimeout,
        int maxConnections) {

    public Endpoint {
        URI uri;
        try {
            uri = new URI(url == null ? "" : url.trim());
        } catch (URISyntaxException e) {
            throw invalid(setting, url, e.getReason());
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            throw invalid(setting, url, "it must start with http:// or https://");
        }
        if (uri.getHost() == null) {
            throw invalid(setting, url, "it names no host");
        }
        url = uri.toString();
        requirePositive(connectTimeout, name + " connect timeout");
        requirePositive(answerTimeout, name + " answer timeout");
        if (maxConnections < 1) {
            throw new IllegalArgumentException(name + " max connections must be at least 1, got " + maxConnections);
        }
    }

    /** {@code name}'s endpoint from its configuration group; {@code setting} names the URL's source in errors. */
    public static Endpoint of(String name, String setting, EndpointConfig config) {
        return new Endpoint(name, setting, config.url(), config.connectTimeout(), config.readTimeout(),
                config.maxConnections());
    }

    URI uri() {
        return URI.create(url);
    }

    private static IllegalArgumentException invalid(String setting, String url, String why) {
        return new IllegalArgumentException(setting + " must be an absolute http URL, got '" + url + "': " + why);
    }

    private static void requirePositive(Duration duration, String what) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + duration);
        }
    }
}
