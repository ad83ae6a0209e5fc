package io.productapp.mesh.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** A {@code --port-offset} at which every port the local mesh uses by default is free now. */
public final class DemoPorts {

    /** The four services, the ingress, the admin API and the four sidecars, at offset 0. */
    static final int[] DEFAULT_PORTS = { 3000, 3001, 5000, 9000, 8080, 15000, 15001, 15002, 15003, 15004 };

    private DemoPorts() {
    }

    /**
     * Offsets tried: {@value #CANDIDATES}, {@value #STEP} apart from {@value #LOWEST}, so that every
     * port lands above the defaults (up to 15004: a {@code ./demo} of the user's may run) and below
     * Linux's ephemeral range (32768 on), where an outgoing connection can take a port just before
     * a service binds it.
     */
    static final int LOWEST = 12_100;
    static final int STEP = 97;
    static final int CANDIDATES = 50;

    public static int freeOffset() throws IOException {
        int first = (int) (ProcessHandle.current().pid() % CANDIDATES);
        for (int i = 0; i < CANDIDATES; i++) {
            int offset = LOWEST + (first + i) % CANDIDATES * STEP;
            boolean allFree = true;
            for (int port : DEFAULT_PORTS) {
                allFree &= isFree(port + offset);
            }
            if (allFree) {
                return offset;
            }
        }
        throw new IOException("no offset with every port free");
    }

    /** Whether nothing listens on {@code port} of 127.0.0.1 now. */
    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
