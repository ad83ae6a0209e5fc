package io.productapp.downstream;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * A service called through a Quarkus REST client, as its caller's messages name it.
 * <p>
 * The REST client itself accepts URLs it cannot call ({@code catalogdetail:3000} fails at the
 * first call, {@code ftp://...} is sent as plain HTTP), so each caller builds its endpoint when it
 * starts: a bad URL then stops the start with a message that names the setting it came from.
 *
 * @param name the service, as messages name it ({@code catalogdetail})
 * @param setting the setting that gave the URL ({@code AGG_APP_URL}), named when it is wrong
 * @param url the absolute {@code http://} URL called, path included, exactly as configured
 * @param timeout bound on the whole answer: waiting for a connection, connecting, sending and
 *        reading the last byte of the body
 */
public record Endpoint(String name, String setting, String url, Duration timeout) {

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
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(name + " answer timeout must be positive, got " + timeout);
        }
    }

    private static IllegalArgumentException invalid(String setting, String url, String why) {
        return new IllegalArgumentException(setting + " must be an absolute http URL, got '" + url + "': " + why);
    }
}
