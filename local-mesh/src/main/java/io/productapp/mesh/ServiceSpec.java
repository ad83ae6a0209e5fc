package io.productapp.mesh;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * One service to run: its name, its packaged application, the loopback port it listens on,
 * the environment it gets (the original's knobs: {@code AGG_APP_URL}, {@code BASE_URL}), and
 * the path that answers 200 once it is ready.
 */
public record ServiceSpec(String name, Path app, int port, Map<String, String> env, String readyPath) {

    public ServiceSpec {
        env = Map.copyOf(env);
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
