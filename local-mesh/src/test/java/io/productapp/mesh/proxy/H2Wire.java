package io.productapp.mesh.proxy;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * HTTP/2 frames by hand (RFC 9113), for {@link ProxyFuzzIT}: requests with header blocks of
 * literal fields (HPACK without Huffman or the dynamic table), frames that are protocol errors,
 * and a reader of what comes back.
 */
final class H2Wire {

    static final int DATA = 0x0;
    static final int HEADERS = 0x1;
    static final int RST_STREAM = 0x3;
    static final int SETTINGS = 0x4;
    static final int PING = 0x6;
    static final int GOAWAY = 0x7;
    static final int WINDOW_UPDATE = 0x8;
    static final int CONTINUATION = 0x9;
    static final int END_STREAM = 0x1;
    static final int ACK = 0x1;
    static final int END_HEADERS = 0x4;

    private H2Wire() {
    }

    /** One frame: its 9-byte header and payload. */
    record Frame(int type, int flags, int stream, byte[] payload) {
    }

    static byte[] frame(int type, int flags, int stream, byte[] payload) {
        byte[] frame = new byte[9 + payload.length];
        frame[0] = (byte) (payload.length >>> 16);
        frame[1] = (byte) (payload.length >>> 8);
        frame[2] = (byte) payload.length;
        frame[3] = (byte) type;
        frame[4] = (byte) flags;
        frame[5] = (byte) ((stream >>> 24) & 0x7f);
        frame[6] = (byte) (stream >>> 16);
        frame[7] = (byte) (stream >>> 8);
        frame[8] = (byte) stream;
        System.arraycopy(payload, 0, frame, 9, payload.length);
        return frame;
    }

    /** A request's HEADERS frame, ending its stream (no body). */
    static byte[] request(int stream, List<String[]> headers) {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        for (String[] header : headers) {
            literal(block, header[0], header[1]);
        }
        return frame(HEADERS, END_HEADERS | END_STREAM, stream, block.toByteArray());
    }

    static byte[] reset(int stream) {
        return frame(RST_STREAM, 0, stream, new byte[] { 0, 0, 0, 8 }); // CANCEL
    }

    static byte[] settingsAck() {
        return frame(SETTINGS, ACK, 0, new byte[0]);
    }

    /** A literal header field without indexing, new name, no Huffman (RFC 7541 6.2.2). */
    private static void literal(ByteArrayOutputStream block, String name, String value) {
        block.write(0x00);
        string(block, name.getBytes(StandardCharsets.ISO_8859_1));
        string(block, value.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void string(ByteArrayOutputStream block, byte[] bytes) {
        integer(block, bytes.length, 7, 0);
        block.writeBytes(bytes);
    }

    /** An HPACK integer with an {@code prefix}-bit prefix (RFC 7541 5.1). */
    private static void integer(ByteArrayOutputStream out, int value, int prefix, int firstBits) {
        int max = (1 << prefix) - 1;
        if (value < max) {
            out.write(firstBits | value);
            return;
        }
        out.write(firstBits | max);
        value -= max;
        while (value >= 128) {
            out.write((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }

    /** A frame that is a connection error, with what it is: {description, bytes as ISO-8859-1}. */
    static String[] badFrame(SplittableRandom random) {
        byte[] bytes;
        String what;
        switch (random.nextInt(9)) {
            case 0 -> {
                what = "DATA on stream 0";
                bytes = frame(DATA, 0, 0, new byte[] { 1, 2, 3 });
            }
            case 1 -> {
                what = "HEADERS on stream 0";
                bytes = frame(HEADERS, END_HEADERS, 0, new byte[] { (byte) 0x82 });
            }
            case 2 -> {
                what = "SETTINGS of 7 bytes";
                bytes = frame(SETTINGS, 0, 0, new byte[7]);
            }
            case 3 -> {
                what = "WINDOW_UPDATE of 0 on the connection";
                bytes = frame(WINDOW_UPDATE, 0, 0, new byte[4]);
            }
            case 4 -> {
                what = "PING of 7 bytes";
                bytes = frame(PING, 0, 0, new byte[7]);
            }
            case 5 -> {
                what = "CONTINUATION with no HEADERS before it";
                bytes = frame(CONTINUATION, END_HEADERS, 101, new byte[] { (byte) 0x82 });
            }
            case 6 -> {
                what = "HEADERS with an HPACK index out of the tables";
                bytes = frame(HEADERS, END_HEADERS | END_STREAM, 201, new byte[] { (byte) 0xff, (byte) 0xff, 0x7f });
            }
            case 7 -> {
                what = "HEADERS on an even (server) stream";
                bytes = frame(HEADERS, END_HEADERS | END_STREAM, 2, new byte[] { (byte) 0x82 });
            }
            default -> {
                what = "a frame over the 16 KiB maximum size";
                bytes = frame(DATA, 0, 301, new byte[16 * 1024 + 1 + random.nextInt(1000)]);
            }
        }
        return new String[] { what, new String(bytes, StandardCharsets.ISO_8859_1) };
    }

    /** HEADERS without END_HEADERS, then CONTINUATION frames of junk fields, {@code size} bytes in all. */
    static byte[] headerFlood(SplittableRandom random, int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        literal(first, ":method", "GET");
        literal(first, ":scheme", "http");
        literal(first, ":path", "/");
        literal(first, ":authority", "catalogdetail:3000");
        out.writeBytes(frame(HEADERS, END_STREAM, 1, first.toByteArray()));
        int written = 0;
        int i = 0;
        while (written < size) {
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            while (block.size() < 4000) {
                literal(block, "x-flood-" + i++, Long.toHexString(random.nextLong()));
            }
            written += block.size();
            out.writeBytes(frame(CONTINUATION, written >= size ? END_HEADERS : 0, 1, block.toByteArray()));
        }
        return out.toByteArray();
    }

    /** The next frame, or null at the end of the stream before one. */
    static Frame read(InputStream in) throws IOException {
        byte[] header = in.readNBytes(9);
        if (header.length == 0) {
            return null;
        }
        if (header.length < 9) {
            throw new EOFException("a frame header cut short: " + header.length + " bytes");
        }
        int length = ((header[0] & 0xff) << 16) | ((header[1] & 0xff) << 8) | (header[2] & 0xff);
        int stream = ((header[5] & 0x7f) << 24) | ((header[6] & 0xff) << 16) | ((header[7] & 0xff) << 8) | (header[8] & 0xff);
        byte[] payload = in.readNBytes(length);
        if (payload.length < length) {
            throw new EOFException("a frame payload cut short");
        }
        return new Frame(header[3] & 0xff, header[4] & 0xff, stream, payload);
    }
}
