package io.productapp.catalogdetail.service;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The instance-wide fault switch of the original: once injected, {@code /catalogDetail} and
 * {@code /ping} answer 500 and readiness is DOWN, until reset. Per instance, like the original's
 * module variable, so one pod can be broken to show outlier detection and locality failover.
 */
@ApplicationScoped
public class FaultInjection {

    private final AtomicBoolean injected = new AtomicBoolean();
    private final String hostname = resolveHostname();

    public boolean active() {
        return injected.get();
    }

    public void inject() {
        injected.set(true);
    }

    public void reset() {
        injected.set(false);
    }

    /** The host name the original reported ({@code os.hostname()}): the pod name on Kubernetes. */
    public String hostname() {
        return hostname;
    }

    private static String resolveHostname() {
        String fromEnv = System.getenv("HOSTNAME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
