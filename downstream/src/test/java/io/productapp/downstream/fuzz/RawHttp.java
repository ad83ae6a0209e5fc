package io.productapp.downstream.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * One HTTP/1.1 request over a socket of its own, sent byte for byte as given, and its answer.
 * RestAssured, which the fuzzers use to read what a service holds, cannot send what they need: it
 * re-encodes a body by its Content-Type (JSON, forms, multipart), will not send a form it is
 * given as bytes, and refuses a path with a malformed percent-escape.
 */
public final class RawHttp {

    /** The status of an answer that never came: the connection closed or reset first, or it took longer than a read may wait. */
    public static final int NO_ANSWER = 0;
    /** How long one read of the answer may wait. */
    public static final int READ_TIMEOUT_MS = 20_000;

    /** An answer's status, Content-Type and Location (null when absent), and body, de-chunked. */
    public record Answer(int status, String contentType, String location, byte[] body) {
    }

    private RawHttp() {
    }

    /**
     * Sends {@code method path} to 127.0.0.1:{@code port} with {@code Connection: close}, the
     * Content-Type (null: none) and the body (null: empty) with its length, and reads the answer
     * until the service closes the connection. No answer, or one that is not HTTP, is
     * {@link #NO_ANSWER} with what went wrong as its body.
     */
    public static Answer send(int port, String method, String path, String contentType, byte[] body) {
        byte[] content = body == null ? new byte[0] : body;
        String head = method + " " + path + " HTTP/1.1\r\nHost: localhost:" + port + "\r\nConnection: close\r\n"
                + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                + "Content-Length: " + content.length + "\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(READ_TIMEOUT_MS);
            socket.setTcpNoDelay(true);
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
            request.writeBytes(content);
            socket.getOutputStream().write(request.toByteArray()); // in one write: no wait on a delayed ACK
            byte[] all = socket.getInputStream().readAllBytes();
            String text = new String(all, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            String[] lines = text.substring(0, end).split("\r\n");
            String answerType = null;
            String location = null;
            boolean chunked = false;
            for (String line : lines) {
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-type:")) {
                    answerType = line.substring("content-type:".length()).trim();
                } else if (lower.startsWith("location:")) {
                    location = line.substring("location:".length()).trim();
                }
                chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
            }
            byte[] rest = Arrays.copyOfRange(all, end + 4, all.length);
            return new Answer(Integer.parseInt(lines[0].split(" ")[1]), answerType, location, chunked ? dechunk(rest) : rest);
        } catch (IOException | RuntimeException e) {
            return new Answer(NO_ANSWER, null, null, ("no HTTP answer: " + e).getBytes(StandardCharsets.UTF_8));
        }
    }

    private static byte[] dechunk(byte[] chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (true) {
            int lineEnd = new String(chunked, StandardCharsets.ISO_8859_1).indexOf("\r\n", at);
            int size = Integer.parseInt(new String(chunked, at, lineEnd - at, StandardCharsets.ISO_8859_1).split(";")[0].trim(), 16);
            if (size == 0) {
                return out.toByteArray();
            }
            out.write(chunked, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
    }
}
