package io.productapp.frontend;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.productapp.downstream.fuzz.FuzzRun.escaped;
import static io.productapp.downstream.fuzz.FuzzRun.printable;
import static io.restassured.RestAssured.given;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import io.productapp.downstream.fuzz.FuzzRun;
import io.productapp.downstream.fuzz.FuzzRun.Category;
import io.productapp.downstream.fuzz.RawHttp;
import io.productapp.downstream.fuzz.RawHttp.Answer;
import io.productapp.frontend.WireMockProductCatalog.InjectWireMock;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;

/**
 * A seeded, bounded fuzzer against the page's form, {@code POST /products}: hostile and
 * malformed form posts of every category below, mixed with valid ones. productcatalog is the
 * WireMock stand-in; for each post that should reach it, it answers as productcatalog's contract
 * says (200, or a 400 naming the field), and its request log shows what the page sent.
 * <p>
 * The oracle is the page's contract: the form's id (stripped of white space at its ends) and
 * name are posted to productcatalog unchanged, the id as one path segment; productcatalog's 200
 * becomes a 303 to the page and its refusal an HTML error with its status and message; a post the
 * page refuses itself (no id, a field given twice, an escape or bytes that are not UTF-8, not a
 * form) gets an HTML 4xx naming the field or header and reaches productcatalog not at all. Never
 * a 5xx, never no answer. The fuzzer keeps a model of what
 * productcatalog holds after each accepted post; every {@value #CHECK_EVERY} posts and at the
 * end the page is rendered from that model and must list every product, its name escaped.
 * <p>
 * {@code -Dfuzz.seed=N} replays or varies a run (the seed is printed), {@code -Dfuzz.requests=N}
 * changes its length ({@link FuzzRun}).
 */
@QuarkusTest
@WithTestResource(WireMockProductCatalog.class)
class FrontendFormFuzzTest {

    private static final int CHECK_EVERY = 500;

    /** The ids valid posts use: few, so renames are frequent. */
    private static final int[] IDS = { 0, 1, 2, 3, 5, 7, 8, 13, 21, 34, 55, 89, 2_000_000_000, Integer.MAX_VALUE };
    private static final int NAME_LIMIT = 256;
    private static final String FORM = "application/x-www-form-urlencoded";

    private static final ObjectMapper JSON = new ObjectMapper();

    @InjectWireMock
    WireMockServer productCatalog;

    // ---------------------------------------------------------------- what a post must get

    /** What the contract says a post must get. */
    sealed interface Outcome permits Forwarded, Refused {
    }

    /**
     * Posted to productcatalog as {@code POST /products/<id>} with {@code {"name":<name>}} (null:
     * no name). productcatalog answers 200 when {@code refusal} is null, else 400 with that
     * message, which the page must show.
     */
    record Forwarded(String id, String name, String refusal) implements Outcome {
    }

    /** Refused by the page itself, with {@code status} and a message naming {@code field}; nothing posted. */
    record Refused(int status, String field) implements Outcome {
    }

    record Probe(String contentType, byte[] body, Outcome expected) implements FuzzRun.Request {

        @Override
        public String describe() {
            return "POST /products [" + (contentType == null ? "no Content-Type" : contentType) + "] " + printable(body);
        }
    }

    private static final String ID = "'id'";
    private static final String NAME = "'name'";
    private static final String CONTENT_TYPE = "'Content-Type'";

    // ---------------------------------------------------------------- the categories

    private final List<Category<Probe>> categories = List.of(
            new Category<>("valid", 30, this::valid),
            new Category<>("valid with extra fields", 4, this::extraFields),
            new Category<>("wrong or missing Content-Type", 8, this::wrongContentType),
            new Category<>("missing field", 6, this::missingField),
            new Category<>("duplicated field", 5, this::duplicatedField),
            new Category<>("oversized field", 4, this::oversizedField),
            new Category<>("bad percent-encoding", 6, this::badPercentEncoding),
            new Category<>("non-UTF-8 bytes", 4, this::nonUtf8),
            new Category<>("invalid id", 10, this::invalidId),
            new Category<>("invalid name", 6, this::invalidName));

    private Probe valid(SplittableRandom r) {
        int id = IDS[r.nextInt(IDS.length)];
        String name = validName(r);
        String typed = r.nextInt(8) == 0 ? pad(r, Integer.toString(id)) : Integer.toString(id);
        return form(r, List.of(field("id", typed, r), field("name", name, r)), new Forwarded(typed.strip(), name, null));
    }

    /** Fields the page does not know are ignored, as a browser's form may send a button's. */
    private Probe extraFields(SplittableRandom r) {
        int id = IDS[r.nextInt(IDS.length)];
        String name = validName(r);
        List<String> fields = new ArrayList<>(List.of(field("id", Integer.toString(id), r), field("name", name, r)));
        for (int i = 1 + r.nextInt(3); i > 0; i--) {
            fields.add(r.nextInt(fields.size() + 1), field(pick(r, EXTRA_KEYS), validName(r), r));
        }
        return form(r, fields, new Forwarded(Integer.toString(id), name, null));
    }

    private Probe wrongContentType(SplittableRandom r) {
        int id = IDS[r.nextInt(IDS.length)];
        String name = validName(r);
        String type = r.nextInt(5) == 0 ? null : pick(r, WRONG_TYPES);
        byte[] body;
        if (type != null && type.startsWith("multipart/form-data")) {
            body = utf8("--x\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n" + id
                    + "\r\n--x\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n" + name + "\r\n--x--\r\n");
        } else if (type != null && type.contains("json")) {
            ObjectNode json = JSON.createObjectNode().put("id", Integer.toString(id)).put("name", name);
            body = utf8(json.toString());
        } else {
            body = utf8(field("id", Integer.toString(id), r) + "&" + field("name", name, r));
        }
        return new Probe(type, body, new Refused(415, CONTENT_TYPE));
    }

    /**
     * No id, or one of white space only: the page refuses it. No name: posted as null, for
     * productcatalog to name.
     */
    private Probe missingField(SplittableRandom r) {
        String name = validName(r);
        return switch (r.nextInt(5)) {
            case 0 -> form(r, List.of(field("name", name, r)), new Refused(400, ID));
            case 1 -> form(r, List.of(field("id", javaWhiteSpace(r), r), field("name", name, r)), new Refused(400, ID));
            case 2 -> form(r, List.of(), new Refused(400, ID));
            case 3 -> form(r, List.of("id", "name"), new Refused(400, ID));
            default -> {
                String id = Integer.toString(IDS[r.nextInt(IDS.length)]);
                yield form(r, List.of(field("id", id, r)), new Forwarded(id, null, "Field 'name' is required"));
            }
        };
    }

    /** A field given twice is refused, equal or not: which one counts is not the page's to guess. */
    private Probe duplicatedField(SplittableRandom r) {
        String id = Integer.toString(IDS[r.nextInt(IDS.length)]);
        String name = validName(r);
        List<String> fields = new ArrayList<>(List.of(field("id", id, r), field("name", name, r)));
        boolean twiceId = r.nextBoolean();
        String again = twiceId ? field("id", r.nextBoolean() ? id : Integer.toString(IDS[r.nextInt(IDS.length)]), r)
                : field("name", r.nextBoolean() ? name : validName(r), r);
        fields.add(r.nextInt(fields.size() + 1), again);
        return form(r, fields, new Refused(400, twiceId ? ID : NAME));
    }

    /** Far longer than productcatalog takes: posted all the same, for productcatalog to refuse. */
    private Probe oversizedField(SplittableRandom r) {
        if (r.nextInt(3) == 0) {
            String id = "9".repeat(11 + r.nextInt(300));
            return form(r, List.of(field("id", id, r), field("name", "Apple", r)), new Forwarded(id, "Apple", idRefusal(id)));
        }
        String id = Integer.toString(IDS[r.nextInt(IDS.length)]);
        String name = "N" + randomText(r, NAME_LIMIT + (int) Math.pow(2, r.nextDouble(0, 15)));
        return form(r, List.of(field("id", id, r), field("name", name, r)),
                new Forwarded(id, name, "Field 'name' must be at most 256 characters"));
    }

    /** A '%' that starts no escape, or escapes of bytes that are not UTF-8: not text, refused, nothing posted. */
    private Probe badPercentEncoding(SplittableRandom r) {
        boolean inId = r.nextBoolean();
        String bad = pick(r, BAD_ESCAPES);
        String id = Integer.toString(IDS[r.nextInt(IDS.length)]);
        // at the end of the value, so that no hex digit after it can complete the escape
        String idField = inId ? "id=" + id + bad : field("id", id, r);
        String nameField = inId ? field("name", "Apple", r) : "name=Ap" + bad + "ple";
        return new Probe(FORM, utf8(idField + "&" + nameField), new Refused(400, inId ? ID : NAME));
    }

    /** Raw bytes that are not UTF-8, not percent-encoded: refused, nothing posted. */
    private Probe nonUtf8(SplittableRandom r) {
        boolean inId = r.nextBoolean();
        byte[] bad = NOT_UTF8[r.nextInt(NOT_UTF8.length)];
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(utf8(inId ? "id=1" : "id=1&name=Ap"));
        body.writeBytes(bad);
        body.writeBytes(utf8(inId ? "&name=Apple" : "ple"));
        return new Probe(FORM, body.toByteArray(), new Refused(400, inId ? ID : NAME));
    }

    /**
     * Ids productcatalog refuses: posted as typed (stripped), refused by productcatalog, shown by
     * the page. {@code .} and {@code ..} cannot be a path segment: the page refuses them itself.
     */
    private Probe invalidId(SplittableRandom r) {
        String id;
        if (r.nextInt(10) == 0) {
            id = pick(r, new String[] { ".", ".." });
            return form(r, List.of(field("id", pad(r, id), r), field("name", validName(r), r)), new Refused(400, ID));
        } else if (r.nextInt(3) == 0) {
            do {
                id = randomText(r, 1 + r.nextInt(8)).replace('\u0000', '?');
            } while (id.strip().isEmpty() || id.strip().matches("[0-9]+") || id.strip().matches("\\.{1,2}"));
        } else {
            id = pick(r, INVALID_IDS);
        }
        String name = validName(r);
        String typed = r.nextInt(4) == 0 ? pad(r, id) : id;
        return form(r, List.of(field("id", typed, r), field("name", name, r)), new Forwarded(id.strip(), name, idRefusal(id.strip())));
    }

    /** Names productcatalog refuses: posted as typed, refused by productcatalog, shown by the page. */
    private Probe invalidName(SplittableRandom r) {
        String id = Integer.toString(IDS[r.nextInt(IDS.length)]);
        String name = r.nextBoolean() ? whiteSpace(r, 0) : "n".repeat(NAME_LIMIT + 1 + r.nextInt(50));
        String refusal = name.length() > NAME_LIMIT ? "Field 'name' must be at most 256 characters" : "Field 'name' must not be blank";
        return form(r, List.of(field("id", id, r), field("name", name, r)), new Forwarded(id, name, refusal));
    }

    /** productcatalog's refusal of an id that is not a non-negative integer in ASCII digits. */
    private static String idRefusal(String id) {
        if (id.matches("[0-9]+") && new BigInteger(id).compareTo(BigInteger.valueOf(Integer.MAX_VALUE)) <= 0) {
            return null;
        }
        return "Path parameter 'id' must be a non-negative integer, got '" + id + "'";
    }

    // ---------------------------------------------------------------- the run

    @Test
    void badFormPostsAreRefusedAndOnlyValidOnesReachProductCatalog() {
        FuzzRun<Probe> run = new FuzzRun<>(FrontendFormFuzzTest.class, categories);
        Map<Integer, String> model = new TreeMap<>();

        while (run.hasNext()) {
            Probe probe = run.next();
            productCatalogAnswers(probe.expected());
            Answer answer = RawHttp.send(RestAssured.port, "POST", "/products", probe.contentType(), probe.body());
            if (!run.answered(answer)) {
                break;
            }

            String wrong = check(probe.expected(), answer, posted());
            if (wrong != null) {
                run.wrong(wrong);
            } else if (probe.expected() instanceof Forwarded sent && sent.refusal() == null) {
                model.put(Integer.parseInt(sent.id()), sent.name());
            }
            if (run.isCheckpoint(CHECK_EVERY)) {
                String page = pageWrong(model);
                if (page != null) {
                    run.finding("page", "after #" + run.request() + " " + page);
                }
            }
        }
        run.assertNoFindings();
    }

    /** The stand-in answers the next post as productcatalog would; its request log starts empty. */
    private void productCatalogAnswers(Outcome expected) {
        productCatalog.resetAll();
        String refusal = expected instanceof Forwarded sent ? sent.refusal() : null;
        productCatalog.stubFor(post(urlPathMatching("/products/.*")).willReturn(refusal == null
                ? okJson("{\"status\":\"New Product added to Product Catalog\",\"name\":\"x\"}")
                : aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody(JSON.createObjectNode().put("status", "Invalid Argument").put("statusCode", 400)
                                .put("message", refusal).toString())));
    }

    /** The posts productcatalog's stand-in received since {@link #productCatalogAnswers}. */
    private List<ServeEvent> posted() {
        return productCatalog.getAllServeEvents().stream().filter(e -> e.getRequest().getMethod().getName().equals("POST")).toList();
    }

    /** Null when the answer and what reached productcatalog keep the contract, else what is wrong. */
    private static String check(Outcome expected, Answer answer, List<ServeEvent> posted) {
        if (expected instanceof Refused refused) {
            if (!posted.isEmpty()) {
                return "expected nothing posted to productcatalog, got " + describe(posted.get(0))
                        + " (answered " + answer.status() + ")";
            }
            return errorPageWrong(answer, refused.status(), refused.field());
        }
        Forwarded sent = (Forwarded) expected;
        if (posted.size() != 1) {
            return "expected one post to productcatalog for id '" + escaped(sent.id()) + "', got " + posted.size()
                    + " (answered " + answer.status() + " '" + escaped(errorMessage(answer)) + "')";
        }
        String wrongPost = postWrong(posted.get(0), sent);
        if (wrongPost != null) {
            return wrongPost;
        }
        if (sent.refusal() == null) {
            return answer.status() == 303 && answer.location() != null && answer.location().endsWith("/") ? null
                    : "expected 303 to /, got " + answer.status() + " (Location " + answer.location() + ") " + printable(answer.body());
        }
        String wrongPage = errorPageWrong(answer, 400, null);
        if (wrongPage != null) {
            return wrongPage;
        }
        String shown = errorMessage(answer);
        return sent.refusal().equals(shown) ? null
                : "expected productcatalog's message '" + escaped(sent.refusal()) + "' on the page, got '" + escaped(shown) + "'";
    }

    /** Null when productcatalog got {@code POST /products/<id>}, the id one segment, with {@code {"name":<name>}}. */
    private static String postWrong(ServeEvent event, Forwarded sent) {
        String url = event.getRequest().getUrl();
        String segment = url.startsWith("/products/") ? url.substring("/products/".length()) : null;
        String id = segment == null || segment.matches(".*[/?#].*") ? null : percentDecode(segment);
        if (id == null || !id.equals(sent.id())) {
            return "expected a post to one segment that decodes to '" + escaped(sent.id()) + "', got " + describe(event);
        }
        if (id.equals(".") || id.equals("..")) {
            return "posted to " + url + ", a dot segment that productcatalog's path normalisation removes";
        }
        JsonNode body;
        try {
            body = JSON.readTree(event.getRequest().getBody());
        } catch (IOException e) {
            return "expected a JSON body, got " + describe(event);
        }
        String name = body.path("name").isTextual() ? body.get("name").textValue() : null;
        boolean nameAsSent = sent.name() == null ? body.path("name").isNull() || body.path("name").isMissingNode()
                : sent.name().equals(name);
        return nameAsSent && body.size() <= 1 ? null
                : "expected {\"name\":" + (sent.name() == null ? "null" : "'" + escaped(sent.name()) + "'") + "}, got " + describe(event);
    }

    /** Null when the answer is an HTML error page with {@code status} whose message names {@code field} (null: any). */
    private static String errorPageWrong(Answer answer, int status, String field) {
        if (answer.status() != status) {
            return "expected " + status + ", got " + answer.status() + " [" + answer.contentType() + "] " + printable(answer.body());
        }
        String message = errorMessage(answer);
        if (answer.contentType() == null || !answer.contentType().startsWith("text/html") || message == null) {
            return "expected an HTML error page, got [" + answer.contentType() + "] " + printable(answer.body());
        }
        if (field != null && !message.contains(field)) {
            return "expected a message naming " + field + ", got '" + escaped(message) + "'";
        }
        return null;
    }

    private static final Pattern ERROR_MESSAGE = Pattern.compile("<p id=\"error-message\">(.*?)</p>", Pattern.DOTALL);

    /** The message of an error page, unescaped, or null if there is none. */
    private static String errorMessage(Answer answer) {
        Matcher m = ERROR_MESSAGE.matcher(new String(answer.body(), StandardCharsets.UTF_8));
        return m.find() ? unescape(m.group(1)) : null;
    }

    private static final Pattern PRODUCT_ROW = Pattern.compile("<tr><td>(.*?)</td><td>(.*?)</td></tr>", Pattern.DOTALL);

    /**
     * Null when the page, rendered from productcatalog's stand-in answering the model, lists
     * exactly the model's products, in order, each name escaped; else what is wrong.
     */
    private String pageWrong(Map<Integer, String> model) {
        productCatalog.resetAll();
        ObjectNode catalog = JSON.createObjectNode();
        ObjectNode products = catalog.putObject("products");
        model.forEach((id, name) -> products.put(id.toString(), name));
        catalog.putObject("details").put("version", "2").putArray("vendors").add("ABC.com");
        productCatalog.stubFor(get("/products/").willReturn(okJson(catalog.toString())));

        Response page = given().get("/");
        String html = page.asString();
        if (page.statusCode() != 200) {
            return "GET / answered " + page.statusCode() + " " + printable(page.asByteArray());
        }
        int start = html.indexOf("<table id=\"products\">");
        if (start < 0) {
            return "GET / has no products table: " + printable(page.asByteArray());
        }
        String table = html.substring(start, html.indexOf("</table>", start));
        List<String> rows = new ArrayList<>();
        Matcher row = PRODUCT_ROW.matcher(table);
        while (row.find()) {
            if (row.group(2).matches("(?s).*[<>].*")) {
                return "product " + row.group(1) + "'s name is not escaped: " + escaped(row.group(2));
            }
            rows.add(unescape(row.group(1)) + "=" + unescape(row.group(2)));
        }
        List<String> expected = model.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        return rows.equals(expected) ? null : "the page lists " + rows.size() + " products, the model " + expected.size()
                + (rows.size() == expected.size() ? " (some differ)" : "");
    }

    private static String describe(ServeEvent event) {
        return event.getRequest().getMethod() + " " + event.getRequest().getUrl() + " " + printable(event.getRequest().getBody());
    }

    // ---------------------------------------------------------------- form material

    private static final String[] WRONG_TYPES = { "text/plain", "text/plain; charset=UTF-8", "application/json",
            "application/json; charset=UTF-8", "multipart/form-data; boundary=x", "application/xml", "text/html",
            "application/octet-stream", "application/x-www-form-urlencode", "application/x-www-form-urlencoded-x",
            "x-www-form-urlencoded", "*/*", "application/*", "form", ";" };

    private static final String[] EXTRA_KEYS = { "submit", "csrf", "ID", "Name", "name2", "id[]", "", "_method", "x" };

    /**
     * Ids productcatalog refuses; the page passes them on for it to name. None holds U+0000:
     * WireMock's Jetty refuses {@code %00} in a path before WireMock sees it (productcatalog's
     * own fuzzer sends it).
     */
    private static final String[] INVALID_IDS = { "-1", "+1", "-0", "1.5", "1e3", "0x1F", "abc", "1a", "99999999999", "2147483648",
            "\u0663", "\uFF11", "\u00B9", "<script>alert(1)</script>", "\"><img src=x>", "../x", "a/b", "1/2", "?x=1", "#top",
            "1;x=2", "%", "%41", "50%", "1 2", "\u00017", "\u001B7", "\u200B7", "\u00A07", "null", "{id}",
            "${id}", "\uD83C\uDF4E", "caf\u00E9", "1\r\n2", "\t" + "1" + "\u0001" };

    /** Escapes Netty's decoder cannot turn into text: a '%' that starts no escape, bytes that are not UTF-8. */
    private static final String[] BAD_ESCAPES = { "%", "%Z", "%ZZ", "%1", "%%", "%G0", "%u0041", "%FF", "%C0%AF", "%E2%82",
            "%ED%A0%80", "%F4%90%80%80", "%80", "%C3" };

    private static final byte[][] NOT_UTF8 = { { (byte) 0xFF }, { (byte) 0xFE }, { (byte) 0x80 }, { (byte) 0xC0, (byte) 0xAF },
            { (byte) 0xE0, (byte) 0x80, (byte) 0xAF }, { (byte) 0xED, (byte) 0xA0, (byte) 0x80 }, { (byte) 0xE9 },
            { (byte) 0xC3, (byte) 0x28 }, { (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80 } };

    /** Unicode's White_Space characters. */
    private static final String WHITE_SPACE = " \t\n\u000B\f\r\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
            + "\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000";

    private static final String[] WORDS = { "Apple", "Banana", "Cherry", "Durian", "Fig", "Grape", "Kiwi", "Lemon" };

    private static final String[] HOSTILE_NAMES = { "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
            "\"><svg onload=alert(1)>", "'; DROP TABLE products; --", "&lt;b&gt;", "&amp;", "&#60;script&#62;", "{product.name}",
            "{#for x in y}", "{catalog.version}", "${7*7}", "{{7*7}}", "../../etc/passwd", "%00", "%3Cscript%3E", "a+b", "a&b=c",
            "a=b", "100%", "</td></tr></table><script>x()</script>", "javascript:alert(1)", "\u202Egnp.exe", "a\u0000b",
            "line\nbreak", "tab\there", "\r\n", "\u001B[31mred\u001B[0m", "\uFEFFbom", "\uD83C\uDF4E Apple", "e\u0301",
            "\u0627\u0644\u062A\u0641\u0627\u062D", "\u308A\u3093\u3054", "\u200Bzero\u200Bwidth", "\u0000", "\\", "\"", "'",
            " padded ", "\u00A0A\u00A0" };

    private static String validName(SplittableRandom r) {
        return switch (r.nextInt(8)) {
            case 0, 1 -> WORDS[r.nextInt(WORDS.length)] + " " + r.nextInt(1000);
            case 2, 3 -> HOSTILE_NAMES[r.nextInt(HOSTILE_NAMES.length)];
            case 4 -> "n".repeat(NAME_LIMIT - 1) + "\u00E9";
            case 5 -> "\uD83C\uDF4E".repeat(NAME_LIMIT / 2);
            default -> "P" + randomText(r, r.nextInt(NAME_LIMIT));
        };
    }

    /**
     * {@code length} UTF-16 units of mostly printable text from several scripts, with controls
     * mixed in; no lone surrogates (a form carries UTF-8, which cannot hold them).
     */
    private static String randomText(SplittableRandom r, int length) {
        StringBuilder out = new StringBuilder(length);
        while (out.length() < length) {
            int kind = r.nextInt(10);
            if (kind == 0) {
                out.append((char) r.nextInt(0x20));
            } else if (kind == 1 && length - out.length() >= 2) {
                out.appendCodePoint(0x1F300 + r.nextInt(0x300));
            } else if (kind == 2) {
                out.append((char) (0xA0 + r.nextInt(0x3000)));
            } else {
                out.append((char) (0x20 + r.nextInt(0x5F)));
            }
        }
        return out.toString();
    }

    private static String whiteSpace(SplittableRandom r, int atLeast) {
        StringBuilder out = new StringBuilder();
        for (int i = atLeast + r.nextInt(6); i > 0; i--) {
            out.append(WHITE_SPACE.charAt(r.nextInt(WHITE_SPACE.length())));
        }
        return out.toString();
    }

    /** White space as Java counts it ({@code Character.isWhitespace}), as the page does for the id; maybe none. */
    private static String javaWhiteSpace(SplittableRandom r) {
        return whiteSpace(r, 0).chars().filter(Character::isWhitespace)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    /** {@code s} with white space a user may type or paste around it (Java's white space: the page strips it). */
    private static String pad(SplittableRandom r, String s) {
        String[] around = { " ", "  ", "\t", "\n", "\r\n", "\u3000", "\u2003" };
        return pick(r, around) + s + pick(r, around);
    }

    /** {@code key=value}, percent-encoded as a browser would, sometimes with other legal choices. */
    private static String field(String key, String value, SplittableRandom r) {
        return formEncode(key, r) + "=" + formEncode(value, r);
    }

    private static String formEncode(String s, SplittableRandom r) {
        StringBuilder out = new StringBuilder();
        for (byte b : utf8(s)) {
            int c = b & 0xFF;
            boolean plain = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
                    || c == '*';
            if (c == ' ' && r.nextBoolean()) {
                out.append('+');
            } else if (plain && r.nextInt(10) != 0) {
                out.append((char) c);
            } else {
                out.append(String.format(r.nextBoolean() ? "%%%02X" : "%%%02x", c));
            }
        }
        return out.toString();
    }

    /** A form post of {@code fields}, joined by '&', with a form Content-Type as a client may write it. */
    private static Probe form(SplittableRandom r, List<String> fields, Outcome expected) {
        String type = pick(r, new String[] { FORM, FORM, FORM, FORM + "; charset=UTF-8", "Application/X-WWW-Form-URLEncoded" });
        return new Probe(type, utf8(String.join("&", fields)), expected);
    }

    /** RFC 3986 percent-decoding, strictly: null for a malformed escape or bytes that are not UTF-8. */
    private static String percentDecode(String s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                bytes.writeBytes(utf8(String.valueOf(c)));
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Undoes Qute's HTML escaping (and numeric references). */
    private static String unescape(String html) {
        Matcher m = Pattern.compile("&(#x?[0-9a-fA-F]+|amp|lt|gt|quot|apos);").matcher(html);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String ref = m.group(1);
            String c = switch (ref) {
                case "amp" -> "&";
                case "lt" -> "<";
                case "gt" -> ">";
                case "quot" -> "\"";
                case "apos" -> "'";
                default -> new String(Character.toChars(ref.startsWith("#x")
                        ? Integer.parseInt(ref.substring(2), 16) : Integer.parseInt(ref.substring(1))));
            };
            m.appendReplacement(out, Matcher.quoteReplacement(c));
        }
        return m.appendTail(out).toString();
    }

    private static <T> T pick(SplittableRandom r, T[] choices) {
        return choices[r.nextInt(choices.length)];
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
