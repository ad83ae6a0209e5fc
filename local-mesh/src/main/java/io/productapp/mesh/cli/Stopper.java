package io.productapp.mesh.cli;

import java.util.concurrent.atomic.AtomicBoolean;

import io.productapp.mesh.launch.Teardown;

/**
 * A command's way out: registered as the JVM's shutdown hook before the first process starts, so
 * Ctrl-C (SIGINT) or a SIGTERM at any moment, start-up included, stops what was started; and
 * called directly when the command ends on its own. Stops once.
 */
final class Stopper {

    private final Teardown teardown = new Teardown();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    private final Console console;
    private final boolean announce;

    /** {@code announce}: say "stopping" and "stopped" (for ./demo, which runs until it is stopped). */
    Stopper(Console console, boolean announce) {
        this.console = console;
        this.announce = announce;
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "demo-stop"));
    }

    Teardown teardown() {
        return teardown;
    }

    /**
     * Whether a stop was asked (a signal, or the command itself). Not whether the teardown ran: a
     * start that fails runs it too, and its reason must still be said.
     */
    boolean stopping() {
        return stopped.get();
    }

    void stop() {
        if (stopped.compareAndSet(false, true)) {
            if (announce) {
                console.out().println("demo: stopping the services");
            }
            teardown.run();
            if (announce) {
                console.out().println("demo: stopped");
            }
            done.countDown();
        }
    }

    /** Waits until a stop has run (a signal, Ctrl-C). */
    void awaitStop() {
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
