package io.productapp.mesh.proxy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * What {@link ProxyFuzzIT} sends: one generator per category of bad input, and with each request
 * it makes, what the proxy may answer (its {@link Accept}). The categories and what they accept:
 *
 * <pre>
 * category            what it sends                                       acceptable
 * truncated           a request cut inside its request line or headers,   400, or the connection closed
 *                     then the end of the stream
 * malformed-line      request lines RFC 9112 refuses: bad method, control 4xx/5xx or closed; forwarded faithfully
 *                     or non-ASCII bytes or spaces in the target, bad     only where RFC 9112 lets a parser be
 *                     versions, bad authorities, bare CR/LF               lenient (bare LF, extra spaces, whitespace
 *                                                                         next to a separator) or Netty is (control
 *                                                                         characters around a method)
 * huge-headers        a header or a target over 60 KiB, over 100 headers, 431/414/400 or closed, from the proxy
 *                     two Hosts, an invalid Host, bad names and values;   itself; repeated headers under the limits
 *                     repeated headers under the limits                   served faithfully
 * bad-chunked         bad sizes, chunks longer or shorter than declared,  400/501 or closed; valid chunked bodies
 *                     missing CRLFs or last chunk, Transfer-Encodings     (extensions, trailers) served faithfully
 *                     other than chunked, Content-Length with chunked,
 *                     each with a request hidden in the body
 * length-mismatch     bodies shorter (then the end of the stream) or      the declared body served faithfully, the
 *                     longer than Content-Length, bad Content-Length      excess refused (400 or closed); 400, 413
 *                     values, bodies over the 1 MiB limit                 or closed for the others
 * pipelined-garbage   valid requests then random bytes, or a junk line    the valid ones served in order; the junk
 *                     between valid requests, on one connection           refused (400) or the connection closed
 * absolute-form       http://&lt;host not in the mesh&gt;/ (names, IPs, a sidecar: 502 as REGISTRY_ONLY, never an
 *                     stand-in's own address, metadata IPs), https://,    upstream; ingress: the Gateway's "*" host
 *                     ftp://                                              routes it to frontend, served faithfully
 * connect             CONNECT to services and elsewhere, with a request   403 (Envoy's upgrade_failed; 400 or 501
 *                     or TLS bytes after it                               with a body) or closed; the connection
 *                                                                         closed after it, what follows never read
 * http2               the HTTP/2 preface with junk after it, cut short,   GOAWAY, RST_STREAM, a 4xx or closed; the
 *                     or inside an HTTP/1 connection; valid streams then  valid streams served faithfully
 *                     a bad frame; rapid resets; a header block flood
 * slowloris           (run apart, a small count) a request trickled a     served when it completes; closed or
 *                     few bytes at a time: completed, abandoned or cut    refused when cut short
 *                     short
 * </pre>
 *
 * Every request carries an {@code x-fuzz-id}; a stand-in echoes the id and the body length it
 * received, so a 2xx proves which request it answers and that the upstream saw what was sent.
 */
final class HostileRequests {

    enum Target {
        INGRESS, SIDECAR
    }

    /**
     * What a request may get back.
     *
     * @param served a 2xx through a stand-in that saw exactly the request sent
     * @param statuses the proxy's own error answers allowed; null: any 4xx or 5xx
     * @param closed the connection closed (or reset) with no answer
     */
    record Accept(boolean served, Set<Integer> statuses, boolean closed) {
        static final Accept SERVED = new Accept(true, Set.of(), false);

        static Accept refused(Integer... statuses) {
            return new Accept(false, statuses.length == 0 ? null : Set.of(statuses), true);
        }

        /** Refused, or served faithfully: where RFC 9112 lets a server be lenient. */
        Accept orServed() {
            return new Accept(true, statuses, closed);
        }

        /** Served, or cut off by the end of the stream the fuzzer sent after it. */
        Accept orClosed() {
            return new Accept(served, statuses, true);
        }

        boolean allows(int status) {
            return status >= 400 && status <= 599 && (statuses == null || statuses.contains(status));
        }
    }

    /** What a stand-in must see of a request the proxy forwards. */
    record Intended(String method, String path, String host, int bodyLength) {
    }

    /**
     * One request as it goes on the wire.
     *
     * @param hostile malformed or hostile (counts towards the fuzz's total); false for the valid
     *        requests around them
     * @param kind the generator's case, for failure reports
     * @param id its {@code x-fuzz-id}
     * @param intended for a request that may be served: what the stand-in must see
     */
    record Item(String category, String kind, boolean hostile, byte[] bytes, Accept accept, String id, Intended intended) {
    }

    /**
     * One connection: flights of pipelined requests, each written at once and answered in order
     * before the next; then {@code tail}, written and followed by the end of the stream (the
     * proxy must answer or close); with {@code expectClose}, the proxy must close the connection
     * after the last answer.
     */
    record Plan(Target target, String category, List<List<Item>> flights, Item tail, boolean expectClose, Trickle trickle,
            H2 h2) {
        int hostile() {
            int n = tail != null && tail.hostile() ? 1 : 0;
            for (List<Item> flight : flights) {
                n += (int) flight.stream().filter(Item::hostile).count();
            }
            return n + (h2 == null ? 0 : h2.hostile());
        }
    }

    /** Slowloris: the plan's bytes in pieces of {@code piece} bytes every {@code pauseMillis}; {@code stopAt} bytes then stop (-1: all). */
    record Trickle(int piece, int pauseMillis, int stopAt, boolean halfClose) {
    }

    /**
     * An HTTP/2 connection with prior knowledge: {@code opening} (the preface and SETTINGS, or less),
     * then {@code streams} (requests, each reset at once when {@code resetEach}) and a
     * {@code sentinel} request after them, answered in full; then {@code hostileBytes} (a bad
     * frame, junk: {@code hostileItem}), then the end of the stream when {@code halfClose}.
     */
    record H2(byte[] opening, List<H2Stream> streams, boolean resetEach, H2Stream sentinel, byte[] hostileBytes, Item hostileItem,
            boolean halfClose) {
        int hostile() {
            return (resetEach ? streams.size() : 0) + (hostileItem != null && hostileItem.hostile() ? 1 : 0);
        }
    }

    /** One HTTP/2 request: its stream id and headers, and what it may get back. */
    record H2Stream(int streamId, Item item, List<String[]> headers) {
    }

    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    /** Services the productcatalog sidecar may call, with their ports. */
    private static final String[][] SERVICES = { { "catalogdetail", "3000" }, { "productcatalog", "5000" }, { "frontend", "9000" } };
    private static final String TCHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final String NOT_TCHARS = "(),/:;<=>?@[\\]{}\"";

    private final Target target;
    private final SplittableRandom random;
    private final Supplier<String> ids;
    private final List<Integer> standInPorts;

    /**
     * @param ids the next {@code x-fuzz-id}
     * @param standInPorts the stand-ins' own ports: an absolute-form request names them to try to
     *        reach a stand-in without a route
     */
    HostileRequests(Target target, SplittableRandom random, Supplier<String> ids, List<Integer> standInPorts) {
        this.target = target;
        this.random = random;
        this.ids = ids;
        this.standInPorts = standInPorts;
    }

    /** The categories of one connection each, with their share of connections. */
    enum Category {
        TRUNCATED("truncated", 10), MALFORMED_LINE("malformed-line", 10), HUGE_HEADERS("huge-headers", 12),
        BAD_CHUNKED("bad-chunked", 12), LENGTH_MISMATCH("length-mismatch", 12), PIPELINED_GARBAGE("pipelined-garbage", 8),
        ABSOLUTE_FORM("absolute-form", 12), CONNECT("connect", 7), HTTP2("http2", 9);

        final String label;
        final int weight;

        Category(String label, int weight) {
            this.label = label;
            this.weight = weight;
        }

        static Category draw(SplittableRandom random) {
            int total = 0;
            for (Category c : values()) {
                total += c.weight;
            }
            int draw = random.nextInt(total);
            for (Category c : values()) {
                draw -= c.weight;
                if (draw < 0) {
                    return c;
                }
            }
            throw new AssertionError();
        }
    }

    static final String SLOWLORIS = "slowloris";
    static final String NOT_HTTP_1 = "a version that is no HTTP/1.x";
    static final String PREFACE_IN_HTTP_1 = "the preface in an HTTP/1.1 connection";
    static final String NORMAL = "normal";

    /** A connection of the category drawn. */
    Plan next() {
        Category category = Category.draw(random);
        return switch (category) {
            case TRUNCATED -> truncated();
            case MALFORMED_LINE -> malformedLine();
            case HUGE_HEADERS -> hugeHeaders();
            case BAD_CHUNKED -> badChunked();
            case LENGTH_MISMATCH -> lengthMismatch();
            case PIPELINED_GARBAGE -> pipelinedGarbage();
            case ABSOLUTE_FORM -> absoluteForm();
            case CONNECT -> connect();
            case HTTP2 -> http2();
        };
    }

    // ---- valid requests ----------------------------------------------------------------------------

    /** A request line and headers being written, then made into an {@link Item}. */
    final class Request {
        String method = "GET";
        String target;
        String version = "HTTP/1.1";
        final List<String> headers = new ArrayList<>();
        byte[] body = new byte[0];
        boolean chunked;
        String path;
        String host;
        final String id = ids.get();

        Request header(String name, String value) {
            headers.add(name + ": " + value);
            return this;
        }

        String head() {
            StringBuilder text = new StringBuilder(method).append(' ').append(target).append(' ').append(version).append("\r\n");
            text.append("x-fuzz-id: ").append(id).append("\r\n");
            for (String header : headers) {
                text.append(header).append("\r\n");
            }
            return text.toString();
        }

        byte[] bytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            String head = head();
            if (chunked) {
                head += "Transfer-Encoding: chunked\r\n";
            } else if (body.length > 0 || !method.equals("GET")) {
                head += "Content-Length: " + body.length + "\r\n";
            }
            out.writeBytes(latin1(head + "\r\n"));
            if (chunked) {
                out.writeBytes(chunks(body));
            } else {
                out.writeBytes(body);
            }
            return out.toByteArray();
        }

        Item item(String category, String kind, boolean hostile, Accept accept) {
            return item(category, kind, hostile, accept, bytes());
        }

        Item item(String category, String kind, boolean hostile, Accept accept, byte[] bytes) {
            return new Item(category, kind, hostile, bytes, accept, id, accept.served() ? new Intended(method, path, host, body.length) : null);
        }
    }

    /** A request the proxy must serve: to a Service through the sidecar, to the page through the ingress. */
    Request valid() {
        Request request = new Request();
        request.path = path();
        if (target == Target.SIDECAR) {
            String[] service = SERVICES[random.nextInt(SERVICES.length)];
            String host = random.nextBoolean() ? service[0] : service[0] + ".workshop.svc.cluster.local";
            request.host = host + ":" + service[1];
            request.target = "http://" + request.host + request.path;
            request.header("Host", request.host);
        } else {
            request.host = pick("productapp.example.com", "127.0.0.1:8080", "localhost", "shop.example.org:80");
            request.target = request.path;
            request.header("Host", request.host);
        }
        request.header("User-Agent", "fuzz");
        if (random.nextInt(3) == 0) {
            request.method = pick("POST", "PUT", "PATCH", "DELETE");
            request.body = printable(random.nextInt(0, 1500));
            request.chunked = random.nextInt(4) == 0;
        }
        return request;
    }

    /** A valid GET without a body. */
    Request get() {
        Request request = valid();
        request.method = "GET";
        request.body = new byte[0];
        return request;
    }

    Item normal(String category) {
        return valid().item(category, NORMAL, false, Accept.SERVED);
    }

    /** {@code n} valid requests pipelined on one HTTP/1.1 connection. */
    Plan normalHttp1(int n) {
        List<Item> flight = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            flight.add(normal(NORMAL));
        }
        return new Plan(target, NORMAL, List.of(flight), null, false, null, null);
    }

    /** {@code n} valid requests as streams of one HTTP/2 connection (prior knowledge). */
    Plan normalHttp2(int n) {
        byte[] opening = concat(PREFACE, H2Wire.frame(H2Wire.SETTINGS, 0, 0, new byte[0]));
        return new Plan(target, NORMAL, List.of(), null, false, null, new H2(opening, h2Streams(NORMAL, n, 1), false, null, new byte[0],
                null, false));
    }

    /** {@code min} to {@code max} requests from {@code item}, pipelined on one connection, then a valid one. */
    private Plan flight(String category, int min, int max, Supplier<Item> item) {
        List<Item> flight = new ArrayList<>();
        int n = random.nextInt(min, max);
        for (int i = 0; i < n; i++) {
            flight.add(item.get());
        }
        flight.add(normal(category));
        return new Plan(target, category, List.of(flight), null, false, null, null);
    }

    /** 0 to {@code max} valid requests, pipelined: the proxy answers them before the bad one. */
    private List<Item> normals(String category, int max) {
        List<Item> items = new ArrayList<>();
        int n = random.nextInt(max + 1);
        for (int i = 0; i < n; i++) {
            items.add(normal(category));
        }
        return items;
    }

    private Plan plan(String category, List<Item> before, Item tail) {
        List<List<Item>> flights = new ArrayList<>();
        if (!before.isEmpty()) {
            flights.add(before);
        }
        return new Plan(target, category, flights, tail, false, null, null);
    }

    // ---- truncated ---------------------------------------------------------------------------------

    private Plan truncated() {
        String category = Category.TRUNCATED.label;
        Request request = valid();
        byte[] whole = request.bytes();
        int headEnd = indexOf(whole, latin1("\r\n\r\n")) + 3; // the last byte of the head
        int lineEnd = indexOf(whole, latin1("\r\n"));
        int cut = random.nextBoolean() ? random.nextInt(1, lineEnd + 1) : random.nextInt(1, headEnd);
        byte[] bytes = java.util.Arrays.copyOf(whole, cut);
        return plan(category, normals(category, 4), request.item(category, cut <= lineEnd ? "cut in the request line" : "cut in the headers",
                true, Accept.refused(400), bytes));
    }

    // ---- malformed request lines -------------------------------------------------------------------

    private Plan malformedLine() {
        String category = Category.MALFORMED_LINE.label;
        Request request = valid();
        request.body = new byte[0]; // the head is written below, with no Content-Length: a lenient parser serves it without a body
        int draw = random.nextInt(12);
        String method = request.method;
        String target = request.target;
        String version = request.version;
        Accept accept = Accept.refused(400, 501, 505);
        String kind;
        String terminator = "\r\n";
        switch (draw) {
            case 0 -> {
                kind = "a method with a character no token has";
                int at = random.nextInt(method.length() + 1);
                char bad = random.nextBoolean() ? NOT_TCHARS.charAt(random.nextInt(NOT_TCHARS.length())) : (char) random.nextInt(0, 0x20);
                if (Character.isWhitespace(bad)) {
                    bad = 0x01; // whitespace would be a separator a parser may take (RFC 9112 3)
                }
                if (bad < 0x20 && (at == 0 || at == method.length())) {
                    // Netty skips control characters before a request line (RFC 9112 2.2 allows it for CRLF
                    // alone) and trims them off a method's ends; Envoy answers 400: see the README.
                    accept = accept.orServed();
                }
                method = method.substring(0, at) + bad + method.substring(at);
            }
            case 1 -> {
                kind = "a control character in the target";
                int c = random.nextInt(0, 0x21);
                char control = c == 0x20 ? (char) 0x7f : (char) c;
                if (control == '\r' || control == '\n' || control == '\t') {
                    control = 0x01;
                }
                target = insert(target, control);
                accept = accept.orServed(); // VT or FF at the target's end: RFC 9112 3 lets a parser take it for a separator
            }
            case 2 -> {
                kind = "a byte over 0x7F in the target";
                target = insert(target, (char) random.nextInt(0x80, 0x100));
            }
            case 3 -> {
                kind = "a space in the target";
                target = insert(target, ' ');
                accept = Accept.refused(400, 404, 501, 505).orServed(); // at its end: RFC 9112 3 lets a parser skip extra spaces
            }
            case 4 -> {
                kind = NOT_HTTP_1;
                version = pick("HTTP/1.2", "HTTP/2.0", "HTTP/9.9", "http/1.1", "HTTP/1", "HTTP/1.1x", "HTTP/01.1", "HTP/1.1", "HTTP/1.1.1",
                        "HTTP/" + random.nextInt(10) + "." + random.nextInt(10) + random.nextInt(10));
            }
            case 5 -> {
                kind = "no version (HTTP/0.9)";
                version = "";
            }
            case 6 -> {
                kind = "a bare CR in the request line";
                target = insert(target, '\r');
                accept = accept.orServed(); // at the target's end: RFC 9112 3 lets a parser take it for a separator
            }
            case 7 -> {
                kind = "bare LF line ends";
                terminator = "\n";
                accept = accept.orServed(); // RFC 9112 2.2: a recipient MAY take LF alone as a line terminator
            }
            case 8 -> {
                kind = "extra spaces between the parts";
                method = method + " ".repeat(random.nextInt(1, 4));
                target = target + " ".repeat(random.nextInt(1, 4));
                accept = accept.orServed(); // RFC 9112 3: MAY parse on whitespace-delimited word boundaries
            }
            case 9 -> {
                kind = "empty lines before the request line";
                method = "\r\n".repeat(random.nextInt(1, 3)) + method;
                accept = accept.orServed(); // RFC 9112 2.2: SHOULD ignore at least one empty line before it
            }
            case 10 -> {
                kind = "an absolute target with a bad authority";
                String path = request.path;
                target = "http://" + pick("a b", "user@catalogdetail:3000", "catalogdetail:3000:1", "catalogdetail:99999",
                        "catalogdetail:-1", "catalogdetail:+80", "catalogdetail:0x50", "[::1", "::1]", "", "catalogdetail:", "[]",
                        "catalog%64etail", "catalog\\detail", "catalog{detail}") + path;
                accept = Accept.refused(400);
            }
            default -> {
                kind = "only a method";
                target = "";
                version = "";
            }
        }
        String line = method + (target.isEmpty() ? "" : " " + target) + (version.isEmpty() ? "" : " " + version);
        String head = line + terminator + "x-fuzz-id: " + request.id + terminator + String.join(terminator, request.headers) + terminator
                + terminator;
        return plan(category, normals(category, 4), request.item(category, kind, true, accept, latin1(head)));
    }

    // ---- huge or repeated headers ------------------------------------------------------------------

    private Plan hugeHeaders() {
        String category = Category.HUGE_HEADERS.label;
        int draw = random.nextInt(11);
        if (draw < 3) {
            // Repeated headers within the limits: valid, several on one connection.
            return flight(category, 4, 24, () -> {
                Request request = get();
                String name = pick("cookie", "x-forwarded-for", "accept", "x-request-id", "x-b3-traceid", "x-repeat", "user-agent");
                int count = random.nextInt(2, 60);
                for (int j = 0; j < count; j++) {
                    request.header(name, Integer.toHexString(random.nextInt()));
                }
                return request.item(category, count + " × " + name, true, Accept.SERVED);
            });
        }
        Request request = valid();
        String kind;
        Accept accept;
        byte[] bytes;
        switch (draw) {
            case 3 -> {
                kind = "one header over 60 KiB";
                request.header("x-big", "a".repeat(random.nextInt(61 * 1024, 200 * 1024)));
                accept = Accept.refused(431, 400);
            }
            case 4 -> {
                kind = "a target over 60 KiB";
                request.target = request.target + "?" + "q".repeat(random.nextInt(61 * 1024, 100 * 1024));
                accept = Accept.refused(414, 431, 400);
            }
            case 5 -> {
                int count = random.nextInt(101, 1500);
                kind = "more than 100 headers";
                for (int i = 0; i < count; i++) {
                    request.header("x-h" + (random.nextBoolean() ? i : 0), "v");
                }
                accept = Accept.refused(431);
            }
            case 6 -> {
                kind = "Host repeated";
                int count = random.nextInt(1, 5);
                for (int i = 0; i < count; i++) {
                    request.header("Host", random.nextBoolean() ? request.host : pick("evil.example", "catalogdetail", "productcatalog:5000"));
                }
                accept = Accept.refused(400);
            }
            case 7 -> {
                kind = "an invalid Host";
                request.headers.removeIf(h -> h.startsWith("Host:"));
                request.header("Host", pick("a b", "a/b", "evil.example@catalogdetail", "catalogdetail:3000/x", "a,b", "catalogdetail:99999",
                        "catalogdetail:x", "[::1", "\"q\"", "a;b", "<x>"));
                if (target == Target.SIDECAR) {
                    request.target = request.path; // origin form: the Host names the destination
                }
                accept = Accept.refused(400);
            }
            case 8 -> {
                kind = "an invalid header name";
                String name = pick("x y", "x(y)", "", "x\u0001y", "x\"y", "{x}", "x\\y");
                request.header(name.isEmpty() || random.nextBoolean() ? name : name + " ", "v"); // " : v" would be obs-fold
                accept = Accept.refused(400);
            }
            case 9 -> {
                kind = "a control character in a header value";
                char control = (char) (int) pick(0, 1, 8, 11, 12, 13, 27, 127);
                request.header("x-v", "a" + control + "b");
                accept = Accept.refused(400);
            }
            default -> {
                kind = "a header folded over lines (obs-fold)";
                request.header("x-folded", "a\r\n " + "b".repeat(random.nextInt(1, 20)));
                request.body = new byte[0];
                request.method = "GET";
                accept = Accept.refused(400).orServed(); // RFC 9112 5.2: reject, or replace with spaces
            }
        }
        bytes = request.bytes();
        return plan(category, normals(category, 3), request.item(category, kind, true, accept, bytes));
    }

    // ---- bad chunked encoding ----------------------------------------------------------------------

    private Plan badChunked() {
        String category = Category.BAD_CHUNKED.label;
        int draw = random.nextInt(12);
        if (draw < 2) {
            // Valid but unusual chunked bodies: extensions, trailers, upper-case and zero-padded sizes.
            return flight(category, 2, 12, () -> {
                Request request = valid();
                request.method = "POST";
                request.body = printable(random.nextInt(1, 3000));
                byte[] head = latin1(request.head() + "Transfer-Encoding: chunked\r\n\r\n");
                return request.item(category, "chunk extensions and trailers", true, Accept.SERVED, concat(head, oddChunks(request.body)));
            });
        }
        Request request = valid();
        request.method = "POST";
        request.body = printable(random.nextInt(1, 400));
        String head = request.head();
        String kind;
        Accept accept = Accept.refused(400);
        byte[] body;
        String te = "Transfer-Encoding: chunked\r\n";
        switch (draw) {
            case 2 -> {
                kind = "a chunk size that is no hex number";
                // Netty reads '5 5', '5\0' and '+5' as 5: with 6 bytes or more, the chunk's end is wrong either way.
                request.body = printable(random.nextInt(6, 400));
                body = concat(latin1(pick("zz", "", "-1", "0x5", "5 5", "FFFFFFFFFFFFFFFFFFFF", "+5", "5\u0000") + "\r\n"), request.body,
                        latin1("\r\n0\r\n\r\n"));
            }
            case 3 -> {
                kind = "a chunk longer than its size";
                request.body = printable(random.nextInt(2, 400));
                body = concat(latin1(Integer.toHexString(random.nextInt(1, request.body.length)) + "\r\n"), request.body,
                        latin1("\r\n0\r\n\r\n"));
            }
            case 4 -> {
                kind = "a chunk shorter than its size, then the end";
                body = concat(latin1(Integer.toHexString(request.body.length + random.nextInt(1, 100)) + "\r\n"), request.body);
            }
            case 5 -> {
                kind = "no CRLF after a chunk";
                body = concat(latin1(Integer.toHexString(request.body.length) + "\r\n"), request.body, latin1("0\r\n\r\n"));
            }
            case 6 -> {
                kind = "no last chunk, then the end";
                body = concat(latin1(Integer.toHexString(request.body.length) + "\r\n"), request.body, latin1("\r\n"));
            }
            case 7 -> {
                kind = "a trailer that is no header";
                body = concat(latin1(Integer.toHexString(request.body.length) + "\r\n"), request.body,
                        latin1("\r\n0\r\n" + pick("no colon here", "x y: z", "x: a\u0001b") + "\r\n\r\n"));
            }
            case 8, 9 -> {
                // A Transfer-Encoding the proxy does not decode exactly as chunked (Envoy: 501), with a
                // request hidden where another reading of the framing would find it.
                kind = "Transfer-Encoding: " + (te = pick("chunked, chunked", "gzip", "gzip, chunked", "identity", "xchunked", "chunked;q=1",
                        "chunked\r\nTransfer-Encoding: chunked", "chunked\r\nTransfer-Encoding: identity", "compress, chunked"));
                te = "Transfer-Encoding: " + te + "\r\n";
                body = hiddenRequest(random.nextBoolean());
                accept = Accept.refused(501, 400);
            }
            default -> {
                kind = "Content-Length and chunked together";
                body = hiddenRequest(true);
                String length = "Content-Length: " + (random.nextBoolean() ? body.length : random.nextInt(1, 6)) + "\r\n";
                te = random.nextBoolean() ? length + te : te + length;
            }
        }
        byte[] bytes = concat(latin1(head + te + "\r\n"), body);
        return plan(category, normals(category, 3), request.item(category, kind, true, accept, bytes));
    }

    /**
     * A request a stand-in must never see, as the body of one the proxy must refuse: after a last
     * chunk when {@code afterLastChunk} (what a chunked reading ends at), else at once (what a
     * reading without a body ends at).
     */
    private byte[] hiddenRequest(boolean afterLastChunk) {
        String id = ids.get();
        String hidden = "GET " + (target == Target.SIDECAR ? "http://catalogdetail:3000" : "") + "/hidden HTTP/1.1\r\nx-fuzz-id: " + id
                + "\r\nHost: catalogdetail:3000\r\n\r\n";
        return latin1((afterLastChunk ? "0\r\n\r\n" : "") + hidden);
    }

    // ---- bodies longer or shorter than declared ----------------------------------------------------

    private Plan lengthMismatch() {
        String category = Category.LENGTH_MISMATCH.label;
        Request request = valid();
        request.method = "POST";
        request.chunked = false;
        request.body = printable(random.nextInt(1, 2000));
        String head = request.head();
        int draw = random.nextInt(10);
        switch (draw) {
            case 0, 1 -> {
                // Longer: the declared bytes are the body; what follows, in the same write, is read as
                // the next request (here a junk line: refused, and the connection closed).
                int declared = random.nextInt(0, request.body.length);
                byte[] excess = java.util.Arrays.copyOfRange(request.body, declared, request.body.length);
                request.body = java.util.Arrays.copyOf(request.body, declared);
                Item served = request.item(category, "a body longer than declared", true, Accept.SERVED,
                        concat(latin1(head + "Content-Length: " + declared + "\r\n\r\n"), request.body));
                Item junk = valid().item(category, "the excess, read as a request", true, Accept.refused(400), concat(junkLine(), excess));
                return new Plan(target, category, List.of(List.of(served, junk)), null, false, null, null);
            }
            case 2, 3 -> {
                int declared = request.body.length + random.nextInt(1, 5000);
                return plan(category, normals(category, 3), request.item(category, "a body shorter than declared, then the end", true,
                        Accept.refused(400), concat(latin1(head + "Content-Length: " + declared + "\r\n\r\n"), request.body)));
            }
            case 4, 5 -> {
                String length = pick("-1", "+5", "5a", "0x5", "5 5", "5,5", "99999999999999999999", "", "1e3", "５");
                return plan(category, normals(category, 3), request.item(category, "Content-Length: " + length, true, Accept.refused(400),
                        concat(latin1(head + "Content-Length: " + length + "\r\n\r\n"), request.body)));
            }
            case 6 -> {
                int other = request.body.length + random.nextInt(1, 10);
                return plan(category, normals(category, 3), request.item(category, "two Content-Lengths that differ", true,
                        Accept.refused(400), concat(latin1(head + "Content-Length: " + request.body.length + "\r\nContent-Length: " + other
                                + "\r\n\r\n"), request.body)));
            }
            case 7 -> {
                long declared = pick(Downstream.MAX_REQUEST_BODY + 1L, 10_000_000L, (long) Integer.MAX_VALUE, 1L << 40);
                return plan(category, normals(category, 3), request.item(category, "a declared body over 1 MiB", true, Accept.refused(413),
                        concat(latin1(head + "Content-Length: " + declared + "\r\n\r\n"), request.body)));
            }
            case 8 -> {
                if (random.nextInt(8) != 0) {
                    // Valid: a GET with a body, a zero-padded length.
                    request.method = "GET";
                    List<Item> flight = new ArrayList<>();
                    flight.add(request.item(category, "a GET with a body, Content-Length 00..n", true, Accept.SERVED,
                            concat(latin1(head.replaceFirst("^POST", "GET") + "Content-Length: 00" + request.body.length + "\r\n\r\n"),
                                    request.body)));
                    flight.add(normal(category));
                    return new Plan(target, category, List.of(flight), null, false, null, null);
                }
                // Rarely (it sends 1 MiB): a chunked body over the limit.
                byte[] big = printable(Downstream.MAX_REQUEST_BODY + random.nextInt(1, 4096));
                return plan(category, List.of(), request.item(category, "a chunked body over 1 MiB", true, Accept.refused(413),
                        concat(latin1(head + "Transfer-Encoding: chunked\r\n\r\n"), chunks(big))));
            }
            default -> {
                // Longer, and the excess is a whole request: read as the next one, and served as one.
                Request second = valid();
                Item first = request.item(category, "a body followed by a whole request", true, Accept.SERVED,
                        concat(latin1(head + "Content-Length: " + request.body.length + "\r\n\r\n"), request.body));
                return new Plan(target, category, List.of(List.of(first, second.item(category, NORMAL, false, Accept.SERVED))), null, false,
                        null, null);
            }
        }
    }

    // ---- pipelined garbage -------------------------------------------------------------------------

    private Plan pipelinedGarbage() {
        String category = Category.PIPELINED_GARBAGE.label;
        List<Item> valid = new ArrayList<>();
        int n = random.nextInt(1, 24);
        for (int i = 0; i < n; i++) {
            valid.add(normal(category));
        }
        Request carrier = valid();
        if (random.nextBoolean()) {
            // Random bytes after the valid requests, then the end of the stream.
            return new Plan(target, category, List.of(valid), carrier.item(category, "random bytes", true, Accept.refused(400, 501, 505, 414),
                    garbage()), false, null, null);
        }
        // A junk line between valid requests, all in one write: those before it are answered, the
        // connection is closed at it, and nothing after it is read.
        List<Item> flight = new ArrayList<>(valid);
        flight.add(carrier.item(category, "a junk line between requests", true, Accept.refused(400), junkLine()));
        int after = random.nextInt(1, 6);
        for (int i = 0; i < after; i++) {
            flight.add(normal(category));
        }
        return new Plan(target, category, List.of(flight), null, false, null, null);
    }

    /** A line no parser can take for a request line: a token with a character no token has, then CRLF CRLF. */
    private byte[] junkLine() {
        StringBuilder line = new StringBuilder();
        int n = random.nextInt(1, 40);
        for (int i = 0; i < n; i++) {
            line.append(TCHARS.charAt(random.nextInt(TCHARS.length())));
        }
        line.insert(random.nextInt(line.length() + 1), NOT_TCHARS.charAt(random.nextInt(NOT_TCHARS.length())));
        return latin1(line + "\r\n\r\n");
    }

    private byte[] garbage() {
        int n = random.nextInt(1, 4096);
        byte[] bytes = new byte[n];
        switch (random.nextInt(3)) {
            case 0 -> random.nextBytes(bytes);
            case 1 -> {
                for (int i = 0; i < n; i++) {
                    bytes[i] = (byte) random.nextInt(0x20, 0x7f);
                }
            }
            default -> {
                String[] words = { "GET", "POST", " ", "/", "HTTP/1.1", "\r\n", ":", "Host", "Content-Length", "Transfer-Encoding", "chunked",
                    "0", "\r\n\r\n", "http://", "catalogdetail", "%", "?", "\u0000", "PRI * HTTP/2.0", ";" };
                StringBuilder text = new StringBuilder();
                while (text.length() < n) {
                    text.append(words[random.nextInt(words.length)]);
                }
                bytes = latin1(text.toString());
            }
        }
        // Starting with a character no request line starts with, the bytes are never a request by chance.
        bytes[0] = (byte) NOT_TCHARS.charAt(random.nextInt(NOT_TCHARS.length()));
        return bytes;
    }

    // ---- absolute-form to unknown hosts ------------------------------------------------------------

    private Plan absoluteForm() {
        String category = Category.ABSOLUTE_FORM.label;
        return flight(category, 8, 40, () -> {
            Request request = get();
            String host = unknownHost();
            String scheme = random.nextInt(10) == 0 ? pick("https://", "ftp://", "ws://") : "http://";
            request.target = scheme + host + request.path;
            request.headers.removeIf(h -> h.startsWith("Host:"));
            request.header("Host", random.nextBoolean() ? host : pick("catalogdetail:3000", "productcatalog", "frontend:9000"));
            Accept accept;
            String kind;
            if (!scheme.equals("http://")) {
                kind = "an absolute target with scheme " + scheme;
                accept = Accept.refused(400);
            } else if (target == Target.SIDECAR) {
                kind = "an absolute target to a host not in the mesh";
                accept = Accept.refused(502); // REGISTRY_ONLY: no passthrough to addresses outside the mesh
            } else {
                kind = "an absolute target to any host (the Gateway's \"*\")";
                request.host = host;
                accept = Accept.SERVED;
            }
            return request.item(category, kind, true, accept);
        });
    }

    private String unknownHost() {
        String host = switch (random.nextInt(10)) {
            case 0 -> "127.0.0.1:" + standInPorts.get(random.nextInt(standInPorts.size())); // a stand-in itself, no route to it
            case 1 -> pick("169.254.169.254", "10.0.0.1", "192.168.1.1", "0.0.0.0", "localhost", "[::1]", "[::ffff:127.0.0.1]",
                    "2130706433", "0x7f000001");
            case 2 -> pick("catalogdetail", "productcatalog", "frontend") + pick(".evil.example", ".workshop.evil", ".workshop.svc.cluster.local.evil",
                    "-evil", "..");
            case 3 -> "a".repeat(random.nextInt(64, 300)) + ".example";
            case 4 -> "xn--" + label(random.nextInt(4, 20)) + ".example";
            // Long made-up names: up to 40 KiB through the sidecar (refused); through the ingress
            // they go upstream in Host, so within what a stand-in takes (8 KiB of headers).
            case 9 -> label(target == Target.SIDECAR ? random.nextInt(300, 40 * 1024) : random.nextInt(300, 6000)) + ".example";
            case 5 -> label(random.nextInt(1, 10)) + "_" + label(random.nextInt(1, 10));
            default -> {
                StringBuilder name = new StringBuilder(label(random.nextInt(1, 20)));
                int labels = random.nextInt(0, 4);
                for (int i = 0; i < labels; i++) {
                    name.append('.').append(label(random.nextInt(1, 20)));
                }
                yield name.toString();
            }
        };
        if (random.nextInt(3) == 0 && !host.contains(":") || host.startsWith("[") && host.endsWith("]") && random.nextBoolean()) {
            host += ":" + random.nextInt(1, 65536);
        }
        return host;
    }

    // ---- CONNECT -----------------------------------------------------------------------------------

    private Plan connect() {
        String category = Category.CONNECT.label;
        Request request = new Request();
        String authority = pick("catalogdetail:3000", "catalogdetail.workshop.svc.cluster.local:3000", "evil.example:443", "127.0.0.1:"
                + standInPorts.get(random.nextInt(standInPorts.size())), "[::1]:22", "frontend:9000");
        request.method = "CONNECT";
        request.target = random.nextInt(6) == 0 ? "http://" + authority + "/" : authority;
        request.header("Host", authority);
        String kind = "CONNECT " + request.target;
        byte[] after;
        switch (random.nextInt(4)) {
            case 0 -> after = new byte[0];
            case 1 -> {
                after = new byte[random.nextInt(64, 600)];
                random.nextBytes(after);
                after[0] = 0x16; // a TLS handshake record
                kind += ", then TLS bytes";
            }
            default -> {
                after = hiddenRequest(false);
                kind += ", then a request inside the tunnel";
            }
        }
        if (random.nextInt(5) == 0) {
            request.header(pick("Content-Length", "Transfer-Encoding"), pick("5", "chunked"));
            kind += ", with a body";
        }
        Item item = request.item(category, kind, true, Accept.refused(403, 400, 501), concat(latin1(request.head() + "\r\n"), after));
        return new Plan(target, category, List.of(List.of(item)), null, true, null, null);
    }

    // ---- HTTP/2 ------------------------------------------------------------------------------------

    private Plan http2() {
        String category = Category.HTTP2.label;
        byte[] settings = H2Wire.frame(H2Wire.SETTINGS, 0, 0, new byte[0]);
        byte[] opening = concat(PREFACE, settings);
        switch (random.nextInt(7)) {
            case 0 -> {
                byte[] junk = garbage();
                Item item = new Request().item(category, "the preface, then junk", true, Accept.refused(), junk);
                return new Plan(target, category, List.of(), null, false, null,
                        new H2(PREFACE, List.of(), false, null, junk, item, true));
            }
            case 1 -> {
                byte[] cut = java.util.Arrays.copyOf(PREFACE, random.nextInt(1, PREFACE.length));
                Item item = new Request().item(category, "the preface cut short", true, Accept.refused(), cut);
                return new Plan(target, category, List.of(), null, false, null, new H2(cut, List.of(), false, null, new byte[0], item, true));
            }
            case 2 -> {
                // The preface inside an HTTP/1.1 connection, after valid requests.
                List<Item> before = new ArrayList<>(normals(category, 3));
                before.add(normal(category));
                Item item = new Request().item(category, PREFACE_IN_HTTP_1, true, Accept.refused(400, 501, 505), PREFACE);
                return new Plan(target, category, before.isEmpty() ? List.of() : List.of(before), item, false, null, null);
            }
            case 3, 4 -> {
                List<H2Stream> streams = h2Streams(category, random.nextInt(1, 7), 1);
                String[] bad = H2Wire.badFrame(random);
                Item item = new Request().item(category, "valid streams, then " + bad[0], true, Accept.refused(), latin1(bad[1]));
                return new Plan(target, category, List.of(), null, false, null,
                        new H2(opening, streams, false, null, latin1(bad[1]), item, false));
            }
            case 5 -> {
                List<H2Stream> reset = h2Streams(category, random.nextInt(5, 40), 1);
                List<H2Stream> hostile = new ArrayList<>();
                for (H2Stream s : reset) {
                    hostile.add(new H2Stream(s.streamId(), new Item(category, "a stream reset at once", true, s.item().bytes(),
                            s.item().accept().orClosed(), s.item().id(), s.item().intended()), s.headers()));
                }
                H2Stream sentinel = h2Streams(category, 1, reset.get(reset.size() - 1).streamId() + 2).get(0);
                sentinel = new H2Stream(sentinel.streamId(), new Item(category, NORMAL, false, sentinel.item().bytes(),
                        new Accept(true, null, true), sentinel.item().id(), sentinel.item().intended()), sentinel.headers());
                return new Plan(target, category, List.of(), null, false, null, new H2(opening, hostile, true, sentinel, new byte[0], null, false));
            }
            default -> {
                int size = random.nextInt(17 * 1024, 200 * 1024);
                byte[] flood = H2Wire.headerFlood(random, size);
                Item item = new Request().item(category, "a header block of " + size / 1024 + " KiB in CONTINUATION frames", true,
                        Accept.refused(431, 400), flood);
                return new Plan(target, category, List.of(), null, false, null, new H2(opening, List.of(), false, null, flood, item, false));
            }
        }
    }

    /** {@code n} valid HTTP/2 requests on streams from {@code first} on. */
    private List<H2Stream> h2Streams(String category, int n, int first) {
        List<H2Stream> streams = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Request request = get();
            List<String[]> headers = new ArrayList<>();
            headers.add(new String[] { ":method", "GET" });
            headers.add(new String[] { ":scheme", "http" });
            headers.add(new String[] { ":path", request.path });
            headers.add(new String[] { ":authority", request.host });
            headers.add(new String[] { "x-fuzz-id", request.id });
            streams.add(new H2Stream(first + 2 * i, request.item(category, NORMAL, false, Accept.SERVED, new byte[0]), headers));
        }
        return streams;
    }

    // ---- slowloris ---------------------------------------------------------------------------------

    /** A request trickled: completed (served), abandoned, or cut short by the end of the stream. */
    Plan slowloris() {
        Request request = valid();
        byte[] bytes = request.bytes();
        int piece = random.nextInt(1, 9);
        int pause = random.nextInt(20, 120);
        // At most ~40 pieces: a trickle lasts a few seconds.
        piece = Math.max(piece, bytes.length / 40 + 1);
        return switch (random.nextInt(3)) {
            case 0 -> new Plan(target, SLOWLORIS, List.of(), request.item(SLOWLORIS, "trickled to the end", true, Accept.SERVED.orClosed(), bytes),
                    false, new Trickle(piece, pause, -1, false), null);
            case 1 -> new Plan(target, SLOWLORIS, List.of(), request.item(SLOWLORIS, "trickled, then abandoned", true, Accept.refused(),
                    bytes), false, new Trickle(piece, pause, random.nextInt(1, bytes.length), false), null);
            default -> new Plan(target, SLOWLORIS, List.of(), request.item(SLOWLORIS, "trickled, then the end of the stream", true,
                    Accept.refused(400), bytes), false, new Trickle(piece, pause, random.nextInt(1, bytes.length), true), null);
        };
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private String path() {
        StringBuilder path = new StringBuilder();
        int segments = random.nextInt(1, 4);
        for (int i = 0; i < segments; i++) {
            path.append('/').append(pick("catalogDetail", "products", "", "a", label(random.nextInt(1, 12)), "%41%2F", "x.json", "~u"));
        }
        if (random.nextInt(4) == 0) {
            path.append('?').append(label(3)).append('=').append(label(random.nextInt(0, 30)));
        }
        return path.toString();
    }

    private String label(int length) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    private byte[] printable(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) random.nextInt(0x20, 0x7f);
        }
        return bytes;
    }

    /** The body in chunks of random sizes, with the last chunk. */
    private byte[] chunks(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (at < body.length) {
            int n = Math.min(body.length - at, random.nextInt(1, 70_000));
            out.writeBytes(latin1(Integer.toHexString(n) + "\r\n"));
            out.write(body, at, n);
            out.writeBytes(latin1("\r\n"));
            at += n;
        }
        out.writeBytes(latin1("0\r\n\r\n"));
        return out.toByteArray();
    }

    /** Valid chunks written unusually: upper-case and zero-padded sizes, extensions, trailers. */
    private byte[] oddChunks(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (at < body.length) {
            int n = Math.min(body.length - at, random.nextInt(1, 800));
            String size = Integer.toHexString(n);
            size = random.nextBoolean() ? size.toUpperCase(java.util.Locale.ROOT) : "000" + size;
            String extension = random.nextBoolean() ? ";" + label(3) + (random.nextBoolean() ? "=" + label(4) : "") : "";
            out.writeBytes(latin1(size + extension + "\r\n"));
            out.write(body, at, n);
            out.writeBytes(latin1("\r\n"));
            at += n;
        }
        out.writeBytes(latin1("0\r\n" + (random.nextBoolean() ? "x-trailer: " + label(5) + "\r\n" : "") + "\r\n"));
        return out.toByteArray();
    }

    private String insert(String text, char c) {
        int from = text.startsWith("http://") ? text.indexOf('/', 7) : 1;
        int at = from < 0 || from >= text.length() ? text.length() : random.nextInt(from, text.length() + 1);
        return text.substring(0, at) + c + text.substring(at);
    }

    @SafeVarargs
    private <T> T pick(T... choices) {
        return choices[random.nextInt(choices.length)];
    }

    static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static int indexOf(byte[] bytes, byte[] part) {
        outer: for (int i = 0; i + part.length <= bytes.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (bytes[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
