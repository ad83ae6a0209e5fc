package io.productapp.mesh.launch;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a launcher has started, to be stopped together, last started first: the data plane, each
 * service process. A launcher makes one before it starts anything and stops it from its shutdown
 * hook, so a SIGTERM or Ctrl-C at any moment, start-up included, stops every process it started.
 * Whatever is added once the teardown has run is stopped at once.
 */
public final class Teardown {

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private boolean done;

    /** Adds something started; stops it at once when the teardown already ran. */
    public void add(AutoCloseable resource) {
        synchronized (this) {
            if (!done) {
                started.push(resource);
                return;
            }
        }
        close(resource);
    }

    /** Forgets something stopped already (a replaced process). */
    public synchronized void remove(AutoCloseable resource) {
        started.remove(resource);
    }

    /** Whether {@link #run} has begun: whatever was starting is stopping. */
    public synchronized boolean isDone() {
        return done;
    }

    /** Stops everything added, last first; later calls do nothing. */
    public void run() {
        while (true) {
            AutoCloseable next;
            synchronized (this) {
                done = true;
                next = started.poll();
            }
            if (next == null) {
                return;
            }
            close(next);
        }
    }

    private static void close(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            System.err.println("demo: while stopping: " + e);
        }
    }
}
