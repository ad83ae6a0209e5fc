package io.productapp.mesh.proxy;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.vertx.core.net.SocketAddress;

/**
 * A proxy's access log, one line per request in Istio's default TEXT format (Envoy's
 * {@code %START_TIME% "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE%
 * %RESPONSE_FLAGS% ...}), written to {@code <dir>/<proxy>.log}. Entries are queued by the event
 * loop, then formatted and written by the data plane's flusher, so no request waits for either.
 */
final class AccessLog {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final Path file;
    private final ConcurrentLinkedQueue<StreamInfo> queue = new ConcurrentLinkedQueue<>();
    private BufferedWriter writer;

    AccessLog(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** Queues one finished request's line; the flusher formats and writes it. */
    void log(StreamInfo info) {
        queue.add(info);
    }

    /** Reused by the flusher for each line (under this object's lock), then copied out as characters, not as a String. */
    private final StringBuilder line = new StringBuilder(512);
    private char[] chars = new char[512];
    /** The text of the addresses seen lately: a connection's requests share its addresses. */
    private final Map<SocketAddress, String> addresses = new HashMap<>();

    private void format(StreamInfo e) {
        StringBuilder b = line;
        b.setLength(0);
        b.append('[');
        time(b, e.startMillis);
        b.append("] \"").append(e.method).append(' ').append(e.path).append(' ')
                .append(e.protocol).append("\" ").append(e.status).append(' ').append(ResponseFlag.format(e.flags)).append(' ');
        dash(b, e.details).append(" - \"-\" ").append(e.bytesReceived).append(' ').append(e.bytesSent).append(' ')
                .append(e.durationNanos() / 1_000_000).append(' ');
        if (e.upstreamServiceMillis < 0) {
            b.append('-');
        } else {
            b.append(e.upstreamServiceMillis);
        }
        b.append(" \"");
        dash(b, e.forwardedFor).append("\" \"");
        dash(b, e.userAgent).append("\" \"");
        dash(b, e.requestId).append("\" \"");
        dash(b, e.authority).append("\" \"");
        if (e.upstream == null) {
            b.append('-');
        } else {
            b.append(e.upstream.host()).append(':').append(e.upstream.port()); // its address(), not made as a String
        }
        b.append("\" ");
        dash(b, e.cluster).append(" - ");
        dash(b, address(e.downstreamLocal)).append(' ');
        dash(b, address(e.downstreamRemote)).append(" - ");
        dash(b, e.routeName).append('\n');
    }

    private static StringBuilder dash(StringBuilder b, String value) {
        return b.append(value == null || value.isEmpty() ? "-" : value);
    }

    private String address(SocketAddress address) {
        if (address == null) {
            return null;
        }
        String text = addresses.get(address);
        if (text == null) {
            if (addresses.size() >= 1024) { // connections come and go: forget the old ones now and then
                addresses.clear();
            }
            text = address.toString();
            addresses.put(address, text);
        }
        return text;
    }

    private long second = -1;
    private String secondText = "";

    /** The start time as Envoy prints it; the formatted second is kept, only the milliseconds change. */
    private void time(StringBuilder b, long millis) {
        long s = millis / 1000;
        if (s != second) {
            second = s;
            secondText = TIME.format(Instant.ofEpochMilli(s * 1000)).substring(0, 20);
        }
        long ms = millis % 1000;
        b.append(secondText).append(ms < 10 ? "00" : ms < 100 ? "0" : "").append(ms).append('Z');
    }

    /** Writes what is queued. */
    synchronized void flush() {
        if (queue.isEmpty()) {
            return;
        }
        try {
            if (writer == null) {
                Files.createDirectories(file.getParent());
                writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            }
            for (StreamInfo entry = queue.poll(); entry != null; entry = queue.poll()) {
                format(entry);
                int length = line.length();
                if (chars.length < length) {
                    chars = new char[Math.max(length, 2 * chars.length)];
                }
                line.getChars(0, length, chars, 0);
                writer.write(chars, 0, length);
            }
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the access log " + file, e);
        }
    }

    synchronized void close() {
        flush();
        try {
            if (writer != null) {
                writer.close();
            }
        } catch (IOException e) {
            // the log is as complete as it can be
        }
    }
}
