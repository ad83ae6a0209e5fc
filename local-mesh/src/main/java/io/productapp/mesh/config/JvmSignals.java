package io.productapp.mesh.config;

import java.util.List;

import sun.misc.Signal;

/**
 * Helm runs in this process as a Go library (helm-java), and the Go runtime installs its own
 * handlers for the process's signals when it loads. SIGTERM, SIGINT and SIGHUP would then no
 * longer reach the JVM: Ctrl-C would leave {@code ./demo}'s services running. Once Helm has run,
 * the JVM's own handling of those signals is put back: exit, running the shutdown hooks.
 */
final class JvmSignals {

    private static final List<String> STOP_SIGNALS = List.of("TERM", "INT", "HUP");
    private static volatile boolean reclaimed;

    private JvmSignals() {
    }

    static synchronized void reclaim() {
        if (reclaimed) {
            return;
        }
        for (String name : STOP_SIGNALS) {
            Signal signal = new Signal(name);
            Signal.handle(signal, s -> System.exit(128 + s.getNumber()));
        }
        reclaimed = true;
    }
}
