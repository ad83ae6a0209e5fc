package io.productapp.mesh.launch;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One service to run: its name, its packaged application, the loopback port it listens on,
 * the environment it gets (the original's knobs: {@code AGG_APP_URL}, {@code BASE_URL}), the
 * path that answers 200 once it is ready, and the JVM options it runs with.
 */
public record ServiceSpec(String name, Path app, int port, Map<String, String> env, String readyPath,
        List<String> jvmOptions) {

    public ServiceSpec {
        env = Map.copyOf(env);
        jvmOptions = List.copyOf(jvmOptions);
    }

    public ServiceSpec(String name, Path app, int port, Map<String, String> env, String readyPath) {
        this(name, app, port, env, readyPath, List.of());
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
