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
import java.util.concurrent.ConcurrentLinkedQueue;

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

    /** Reused by the flusher for each line (under this object's lock). */
    private final StringBuilder line = new StringBuilder(512);

    private String format(StreamInfo e) {
        StringBuilder b = line;
        b.setLength(0);
        b.append('[').append(time(e.startMillis)).append("] \"").append(e.method).append(' ').append(e.path).append(' ')
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
        dash(b, e.upstream == null ? null : e.upstream.address()).append("\" ");
        dash(b, e.cluster).append(" - ");
        dash(b, e.downstreamLocal == null ? null : e.downstreamLocal.toString()).append(' ');
        dash(b, e.downstreamRemote == null ? null : e.downstreamRemote.toString()).append(" - ");
        dash(b, e.routeName).append('\n');
        return b.toString();
    }

    private static StringBuilder dash(StringBuilder b, String value) {
        return b.append(value == null || value.isEmpty() ? "-" : value);
    }

    private long second = -1;
    private String secondText = "";

    /** The start time as Envoy prints it; the formatted second is kept, only the milliseconds change. */
    private String time(long millis) {
        long s = millis / 1000;
        String prefix;
        synchronized (this) {
            if (s != second) {
                second = s;
                secondText = TIME.format(Instant.ofEpochMilli(s * 1000)).substring(0, 20);
            }
            prefix = secondText;
        }
        long ms = millis % 1000;
        return prefix + (ms < 10 ? "00" : ms < 100 ? "0" : "") + ms + "Z";
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
                writer.write(format(entry));
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
