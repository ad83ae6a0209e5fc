package io.productapp.productcatalog;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static io.productapp.downstream.fuzz.FuzzRun.escaped;
import static io.productapp.downstream.fuzz.FuzzRun.printable;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;

import io.productapp.downstream.fuzz.FuzzRun;
import io.productapp.downstream.fuzz.FuzzRun.Category;
import io.productapp.downstream.fuzz.RawHttp;
import io.productapp.downstream.fuzz.RawHttp.Answer;
import io.productapp.productcatalog.WireMockCatalogDetail.InjectWireMock;
import io.productapp.productcatalog.service.ProductStore;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;

/**
 * A seeded, bounded fuzzer against {@code POST /products/{id}}: hostile and malformed requests of
 * every category below, mixed with valid ones. The oracle is the service's contract: a valid
 * request is answered 200 and adds or renames its product; any other gets a JSON 4xx (never a
 * 5xx, never no answer) whose message names the field or the header at fault, but for a path
 * Quarkus cannot percent-decode, which it refuses with a bare 400 before the API sees it; the
 * store changes only by valid requests, which this class keeps a model of and compares with
 * {@code GET /products/} every {@value #CHECK_EVERY} requests and at the end.
 * <p>
 * {@code -Dfuzz.seed=N} replays or varies a run (the seed is printed), {@code -Dfuzz.requests=N}
 * changes its length ({@link FuzzRun}).
 */
@QuarkusTest
@WithTestResource(WireMockCatalogDetail.class)
class ProductCatalogFuzzTest {

    private static final int CHECK_EVERY = 500;

    /**
     * The ids valid requests use: few, so renames are frequent, and apart from the ids
     * {@link ProductResourceTest} adds (above 100) to the store this class shares with it.
     */
    private static final int[] IDS = { 0, 1, 2, 3, 5, 7, 8, 13, 21, 34, 55, 89, 2_000_000_000, Integer.MAX_VALUE };

    private static final ObjectMapper JSON = new ObjectMapper();

    @InjectWireMock
    WireMockServer catalogDetail;

    @Inject
    ProductStore store;

    @BeforeEach
    void catalogDetailAnswers() {
        catalogDetail.resetAll();
        catalogDetail.stubFor(get(WireMockCatalogDetail.PATH).willReturn(okJson(ProductResourceTest.V2)));
    }

    // ---------------------------------------------------------------- what a request must get

    /** What the contract says a request must get. */
    sealed interface Outcome permits Added, Refused {
    }

    /** 200, and product {@code id} is now called {@code name}. */
    record Added(int id, String name) implements Outcome {
    }

    /**
     * {@code status}, as a JSON error whose message contains one of {@code names} (the field or
     * header at fault; none listed: any message), and the store unchanged. A request the HTTP
     * layer refuses before the service sees it ({@code byHttpLayer}) may get a bare status.
     */
    record Refused(int status, List<String> names, boolean byHttpLayer) implements Outcome {
    }

    record Probe(String method, String path, String contentType, byte[] body, Outcome expected) implements FuzzRun.Request {

        @Override
        public String describe() {
            return method + " " + path + " [" + (contentType == null ? "no Content-Type" : contentType) + "] "
                    + (body == null ? "no body" : printable(body));
        }
    }

    private static Refused refused(int status, String... names) {
        return new Refused(status, List.of(names), false);
    }

    private static final String ID = "'id'";
    private static final String NAME = "'name'";
    private static final String CONTENT_TYPE = "'Content-Type'";
    /** A body that is not one well-formed JSON object is named as the request body's JSON. */
    private static final String BODY = "JSON";

    // ---------------------------------------------------------------- the categories

    private final List<Category<Probe>> categories = List.of(
            new Category<>("valid", 30, this::valid),
            new Category<>("valid with extra fields", 4, this::extraFields),
            new Category<>("wrong or missing Content-Type", 8, this::wrongContentType),
            new Category<>("truncated JSON", 6, this::truncated),
            new Category<>("malformed JSON", 8, this::malformed),
            new Category<>("deep nesting", 3, this::deepNesting),
            new Category<>("huge name", 3, this::hugeName),
            new Category<>("wrong type", 6, this::wrongType),
            new Category<>("null or missing name", 4, this::nullName),
            new Category<>("duplicate key", 4, this::duplicateKey),
            new Category<>("blank name", 5, this::blankName),
            new Category<>("non-UTF-8 bytes", 5, this::nonUtf8),
            new Category<>("number out of range", 4, this::numberOutOfRange),
            new Category<>("bad id", 10, this::badId),
            new Category<>("wrong method or path", 2, this::wrongMethod));

    private Probe valid(SplittableRandom r) {
        int id = IDS[r.nextInt(IDS.length)];
        String name = validName(r);
        return post(idSegment(id, r), pick(r, JSON_TYPES), object(r, jsonString(name, r)), new Added(id, name));
    }

    /** Unknown fields are ignored, as the original ignored them; the name is still taken. */
    private Probe extraFields(SplittableRandom r) {
        int id = IDS[r.nextInt(IDS.length)];
        String name = validName(r);
        String extra = pick(r, EXTRA_FIELDS);
        String body = r.nextBoolean() ? "{" + extra + ",\"name\":" + jsonString(name, r) + "}"
                : "{\"name\":" + jsonString(name, r) + "," + extra + "}";
        return post(Integer.toString(id), "application/json", body, new Added(id, name));
    }

    private Probe wrongContentType(SplittableRandom r) {
        String body = object(r, jsonString(validName(r), r));
        String path = Integer.toString(IDS[r.nextInt(IDS.length)]);
        return switch (r.nextInt(3)) {
            case 0 -> post(path, null, body, refused(415, CONTENT_TYPE));
            case 1 -> post(path, pick(r, MALFORMED_TYPES), body, refused(415, CONTENT_TYPE));
            default -> post(path, pick(r, WRONG_TYPES), body, refused(415, CONTENT_TYPE));
        };
    }

    /** A valid body cut short: not JSON, or (cut before its first byte) no body at all. */
    private Probe truncated(SplittableRandom r) {
        byte[] whole = utf8("{\"name\":" + jsonString(validName(r), r) + "}");
        byte[] cut = Arrays.copyOf(whole, r.nextInt(whole.length));
        return post(Integer.toString(IDS[r.nextInt(IDS.length)]), "application/json", cut, refused(400, BODY, NAME));
    }

    private Probe malformed(SplittableRandom r) {
        String name = jsonString(validName(r), r);
        String body = pick(r, MALFORMED_JSON).replace("%s", name);
        return post(Integer.toString(IDS[r.nextInt(IDS.length)]), "application/json", body, refused(400, BODY, NAME));
    }

    /**
     * Nesting far beyond any product: in the name, as the whole body, or in an unknown field.
     * The JSON reader's depth limit (1000) refuses the deepest; an ignored field nested less deep
     * is ignored like any other.
     */
    private Probe deepNesting(SplittableRandom r) {
        int depth = 1_100 + r.nextInt(30_000);
        String id = Integer.toString(IDS[r.nextInt(IDS.length)]);
        return switch (r.nextInt(5)) {
            case 0 -> post(id, "application/json", "{\"name\":" + "[".repeat(depth) + "]".repeat(depth) + "}", refused(400, NAME, BODY));
            case 1 -> post(id, "application/json", "{\"name\":" + "{\"name\":".repeat(depth) + "\"x\"" + "}".repeat(depth + 1),
                    refused(400, NAME, BODY));
            case 2 -> post(id, "application/json", "[".repeat(depth) + "]".repeat(depth), refused(400, NAME, BODY));
            case 3 -> post(id, "application/json", "{\"name\":\"x\",\"deep\":" + "[".repeat(depth) + "]".repeat(depth) + "}",
                    refused(400, BODY));
            default -> {
                int shallow = 1 + r.nextInt(900);
                String name = validName(r);
                yield post(id, "application/json",
                        "{\"deep\":" + "{\"a\":".repeat(shallow) + "1" + "}".repeat(shallow) + ",\"name\":" + jsonString(name, r) + "}",
                        new Added(Integer.parseInt(id), name));
            }
        };
    }

    private Probe hugeName(SplittableRandom r) {
        int length = NAME_LIMIT + 1 + (int) Math.pow(2, r.nextDouble(0, 17));
        String name = randomText(r, length, true);
        return post(Integer.toString(IDS[r.nextInt(IDS.length)]), "application/json", object(r, jsonString(name, r)),
                refused(400, NAME));
    }

    private Probe wrongType(SplittableRandom r) {
        String id = Integer.toString(IDS[r.nextInt(IDS.length)]);
        if (r.nextInt(3) == 0) {
            return post(id, "application/json", pick(r, NOT_AN_OBJECT), refused(400, NAME));
        }
        return post(id, "application/json", "{\"name\":" + pick(r, NOT_A_STRING) + "}", refused(400, NAME));
    }

    private Probe nullName(SplittableRandom r) {
        return post(Integer.toString(IDS[r.nextInt(IDS.length)]), "application/json", pick(r, NO_NAME), refused(400, NAME));
    }

    /** Two values for one field are refused, equal or not: which one counts is not the reader's to guess. */
    private Probe duplicateKey(SplittableRandom r) {
        String first = r.nextInt(4) == 0 ? "null" : jsonString(validName(r), r);
        String second = r.nextInt(4) == 0 ? first : jsonString(validName(r), r);
        String key = r.nextInt(3) == 0 ? "\"\\u006eame\"" : "\"name\"";
        return post(Integer.toString(IDS[r.nextInt(IDS.length)]), "application/json",
                "{\"name\":" + first + "," + key + ":" + second + "}", refused(400, NAME));
    }

    private Probe blankName(SplittableRandom r) {
        StringBuilder name = new StringBuilder();
        for (int i = r.nextInt(12); i > 0; i--) {
            name.append(WHITE_SPACE.charAt(r.nextInt(WHITE_SPACE.length())));
        }
        return post(Integer.toString(IDS[r.nextInt(IDS.length)]), pick(r, JSON_TYPES), object(r, jsonString(name.toString(), r)),
                refused(400, NAME));
    }

    /** Bytes that are not UTF-8 inside a name or a key; the body is not JSON text. */
    private Probe nonUtf8(SplittableRandom r) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] bad = NOT_UTF8[r.nextInt(NOT_UTF8.length)];
        if (r.nextInt(4) == 0) {
            body.writeBytes(utf8("{\"na"));
            body.writeBytes(bad);
            body.writeBytes(utf8("me\":\"Apple\"}"));
        } else {
            body.writeBytes(utf8("{\"name\":\"" + randomText(r, r.nextInt(4), false)));
            body.writeBytes(bad);
            body.writeBytes(utf8(randomText(r, r.nextInt(4), false) + "\"}"));
        }
        return post(Integer.toString(IDS[r.nextInt(IDS.length)]), "application/json", body.toByteArray(), refused(400, BODY));
    }

    private Probe numberOutOfRange(SplittableRandom r) {
        if (r.nextBoolean()) {
            String id = pick(r, IDS_OUT_OF_RANGE);
            if (id.isEmpty()) {
                id = "1" + "0".repeat(10 + r.nextInt(300));
            }
            return post(id, "application/json", "{\"name\":\"Apple\"}", refused(400, ID));
        }
        String number = pick(r, NUMBERS_OUT_OF_RANGE);
        if (number.isEmpty()) {
            number = "9".repeat(20 + r.nextInt(5_000));
        }
        return post(Integer.toString(IDS[r.nextInt(IDS.length)]), "application/json", "{\"name\":" + number + "}",
                refused(400, NAME, BODY));
    }

    /** Ids that are not non-negative integers in ASCII digits: path tricks, other scripts' digits, controls, markup. */
    private Probe badId(SplittableRandom r) {
        String segment;
        if (r.nextInt(10) == 0) {
            // Quarkus refuses a path it cannot decode before any resource sees it, with a bare 400
            return post(pick(r, MALFORMED_ESCAPES), "application/json", "{\"name\":\"Apple\"}", new Refused(400, List.of(), true));
        } else if (r.nextInt(3) == 0) {
            // random text, percent-encoded; never all ASCII digits, and no '/', '.', ';' (the fixed list has those)
            String text;
            do {
                text = randomText(r, 1 + r.nextInt(8), false).replaceAll("[/.;]", "");
            } while (text.isEmpty() || text.matches("[0-9]+"));
            segment = percentEncodeAll(text);
        } else {
            segment = pick(r, BAD_IDS);
        }
        return post(segment, pick(r, JSON_TYPES), object(r, jsonString(validName(r), r)), refused(400, ID));
    }

    private Probe wrongMethod(SplittableRandom r) {
        String body = object(r, jsonString(validName(r), r));
        String path = "/products/" + IDS[r.nextInt(IDS.length)];
        return switch (r.nextInt(4)) {
            case 0 -> new Probe(pick(r, new String[] { "PUT", "PATCH", "DELETE" }), path, "application/json", utf8(body),
                    refused(405));
            case 1 -> new Probe("POST", pick(r, new String[] { "/products/", "/products/;1", "/products/;" }), "application/json",
                    utf8(body), refused(405));
            case 2 -> new Probe("POST", "/products", "application/json", utf8(body), refused(405));
            default -> new Probe("POST", path + "/" + IDS[r.nextInt(IDS.length)], "application/json", utf8(body), refused(404));
        };
    }

    // ---------------------------------------------------------------- the run

    @Test
    void badRequestsAreRefusedAndOnlyValidOnesChangeTheStore() {
        FuzzRun<Probe> run = new FuzzRun<>(ProductCatalogFuzzTest.class, categories);
        Map<Integer, String> model = listed();
        assertTrue(model.size() + IDS.length <= store.capacity(), "the store has room for every id the fuzzer adds");

        while (run.hasNext()) {
            Probe probe = run.next();
            Answer answer = RawHttp.send(RestAssured.port, probe.method(), probe.path(), probe.contentType(), probe.body());
            if (!run.answered(answer)) {
                break;
            }

            String wrong = check(probe.expected(), answer);
            if (wrong != null) {
                run.wrong(wrong);
                model = listed(); // go on from what the store holds, so one finding does not hide the next
            } else if (probe.expected() instanceof Added added) {
                model.put(added.id(), added.name());
            }
            if (run.isCheckpoint(CHECK_EVERY)) {
                Map<Integer, String> listed = listed();
                if (!listed.equals(model)) {
                    run.finding("store", "after #" + run.request() + " GET /products/ differs from the model:" + difference(model, listed));
                    model = listed;
                }
            }
        }
        for (int id : IDS) {
            String name = model.get(id);
            Response one = given().get("/products/" + id);
            if (name == null ? one.statusCode() != 404 : one.statusCode() != 200 || !name.equals(field(one, "name"))) {
                run.finding("store", "GET /products/" + id + " answered " + one.statusCode() + " " + printable(one.asByteArray())
                        + ", the model holds " + (name == null ? "nothing" : "'" + escaped(name) + "'"));
            }
        }
        run.assertNoFindings();
    }

    /** Null when the answer keeps the contract, else what is wrong with it. */
    private static String check(Outcome expected, Answer answer) {
        int status = answer.status();
        byte[] body = answer.body();
        if (expected instanceof Added added) {
            if (status != 200) {
                return "expected 200, got " + status + " " + printable(body);
            }
            JsonNode confirmation = parse(body);
            if (confirmation == null || !added.name().equals(confirmation.path("name").textValue())
                    || !"New Product added to Product Catalog".equals(confirmation.path("status").textValue())) {
                return "expected the confirmation naming '" + escaped(added.name()) + "', got " + printable(body);
            }
            return null;
        }
        Refused refused = (Refused) expected;
        if (status != refused.status()) {
            return "expected " + refused.status() + ", got " + status + " " + printable(body);
        }
        if (refused.byHttpLayer()) {
            return null;
        }
        JsonNode error = parse(body);
        if (error == null || !String.valueOf(answer.contentType()).startsWith("application/json")
                || error.path("statusCode").intValue() != status || !error.path("status").isTextual()
                || !error.path("message").isTextual()) {
            return "expected a JSON error {status, statusCode, message}, got [" + answer.contentType() + "] " + printable(body);
        }
        String message = error.path("message").textValue();
        if (!refused.names().isEmpty() && refused.names().stream().noneMatch(message::contains)) {
            return "expected a message naming " + refused.names() + ", got '" + escaped(message) + "'";
        }
        return null;
    }

    private static Map<Integer, String> listed() {
        Response response = given().get("/products/");
        assertEquals(200, response.statusCode(), () -> "GET /products/: " + printable(response.asByteArray()));
        Map<Integer, String> products = new TreeMap<>();
        for (Map.Entry<String, JsonNode> product : parse(response.asByteArray()).path("products").properties()) {
            products.put(Integer.valueOf(product.getKey()), product.getValue().textValue());
        }
        return products;
    }

    private static String difference(Map<Integer, String> model, Map<Integer, String> listed) {
        StringBuilder out = new StringBuilder();
        listed.forEach((id, name) -> {
            if (!name.equals(model.get(id))) {
                out.append(" id ").append(id).append(" is '").append(escaped(name)).append("' (model: '")
                        .append(model.get(id) == null ? null : escaped(model.get(id))).append("');");
            }
        });
        model.keySet().stream().filter(id -> !listed.containsKey(id)).forEach(id -> out.append(" id ").append(id).append(" lost;"));
        return out.toString();
    }

    // ---------------------------------------------------------------- request material

    private static final int NAME_LIMIT = 256;

    /**
     * application/json as a client may write it. Its parameters have no effect (RFC 8259, 11: JSON
     * is UTF-8 and the type defines no charset), so odd ones are still JSON.
     */
    private static final String[] JSON_TYPES = { "application/json", "application/json", "application/json", "application/json",
            "application/json; charset=UTF-8", "application/json;charset=utf-8", "APPLICATION/JSON", "application/json; charset=ISO-8859-1",
            "application/json; charset=no-such-charset", "application/json; charset", "application/json; =utf-8",
            "application/json; charset=\"" };

    private static final String[] WRONG_TYPES = { "text/plain", "text/plain; charset=UTF-8", "application/x-www-form-urlencoded",
            "application/xml", "text/xml", "text/json", "text/html", "application/octet-stream",
            "application/octet-stream; charset=ISO-8859-1", "text/plain; charset=ISO-8859-1", "application/xml; charset=UTF-8", "application/jsonp",
            "application/json-patch+json", "application/problem+json", "application/javascript", "multipart/form-data; boundary=x",
            "image/png", "application/jsonx", "json/application", "*/*", "application/*", "*/json", "*/*; q=1" };

    /** Content-Type values that are not a media type at all. */
    private static final String[] MALFORMED_TYPES = { "json", "application", "application/", "/json", ";", "application/json/x",
            "application json", "=", "\"application/json\"" };

    private static final String[] EXTRA_FIELDS = { "\"id\":5", "\"price\":1.5", "\"tags\":[\"a\",{\"b\":null}]",
            "\"nested\":{\"a\":{\"b\":[]}}", "\"NAME\":\"other\"", "\"Name\":null", "\"name2\":\"x\"", "\"\":\"empty key\"",
            "\"<script>\":\"</script>\"", "\"__proto__\":{\"name\":\"polluted\"}", "\"constructor\":{}" };

    private static final String[] MALFORMED_JSON = { "{\"name\":%s,}", "{\"name\":%s", "{name:%s}", "{'name':'Apple'}",
            "{\"name\":%s}}", "{\"name\" %s}", "{\"name\"::%s}", "{\"name\":\"a\\qb\"}", "{\"name\":\"\\u12G4\"}",
            "{\"name\":\"a\nb\"}", "{\"name\":\"a\u0000b\"}", "{\"name\":NaN}", "{\"name\":%s} x", "{\"name\":%s}{\"name\":%s}",
            "{\"name\":%s},", "/*c*/{\"name\":%s}", "{\"name\":%s}//c", "# c\n{\"name\":%s}", "{\"name\":'Apple'}",
            "{\"name\":%s]", "[{\"name\":%s}", "{\"name\":undefined}", "{\"name\":0x10}", "{,\"name\":%s}", "{\"name\":%s,,}",
            "\"", "{", "}", "{\"", "\u0000{\"name\":%s}", "<name>Apple</name>", "name=Apple", "{\"name\":\"Apple\"\"}",
            "{\"name\":\"\\", "{\"name\":\"\\u", "{\"name\":\"Apple}", "{\"name\":+1}", "{\"name\":.5}", "{\"name\":01}",
            "{\"name\":-}", "{\"name\":1e}", "{\"name\":tru}", "{\"name\":nul}", "{\"name\":True}", "\uFEFF\uFEFF{\"name\":%s}" };

    private static final String[] NOT_A_STRING = { "5", "-1", "0", "1.5", "-0.0", "1e10", "true", "false", "[]", "[\"Apple\"]",
            "{}", "{\"first\":\"Apple\"}", "[null]", "{\"name\":\"Apple\"}" };

    private static final String[] NOT_AN_OBJECT = { "\"Apple\"", "5", "true", "[]", "[\"Apple\"]", "[{\"name\":\"Apple\"}]",
            "-1", "1.5", "\"\"", "[[]]" };

    private static final String[] NO_NAME = { "{\"name\":null}", "null", " null ", "{}", "{\"name\":null,\"price\":1}",
            "{\"Name\":\"Apple\"}", "{\"NAME\":\"Apple\"}", "{\"name \":\"Apple\"}", "{\" name\":\"Apple\"}", "{\"nam\":\"Apple\"}",
            "{\"product\":{\"name\":\"Apple\"}}", "", " ", "\n\t" };

    /** Unicode's White_Space characters: a name of nothing else is blank, however wide. */
    private static final String WHITE_SPACE = " \t\n\u000B\f\r\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
            + "\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000";

    private static final byte[][] NOT_UTF8 = {
            { (byte) 0xFF }, { (byte) 0xFE }, { (byte) 0x80 }, { (byte) 0xBF },
            { (byte) 0xC0, (byte) 0xAF }, { (byte) 0xC1, (byte) 0xBF }, { (byte) 0xE0, (byte) 0x80, (byte) 0xAF },
            { (byte) 0xED, (byte) 0xA0, (byte) 0x80 }, { (byte) 0xED, (byte) 0xBF, (byte) 0xBF },
            { (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80 }, { (byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80 },
            { (byte) 0xE2, (byte) 0x82 }, { (byte) 0xC3 }, { (byte) 0xE9 }, { (byte) 0xC3, (byte) 0x28 } };

    /** Ids beyond a 32-bit int; the empty entry stands for a long run of zeros. */
    private static final String[] IDS_OUT_OF_RANGE = { "2147483648", "4294967296", "9223372036854775807", "9223372036854775808",
            "-2147483649", "18446744073709551616", "" };

    /** Numbers where the name goes; the empty entry stands for a long run of nines. */
    private static final String[] NUMBERS_OUT_OF_RANGE = { "1e400", "-1e400", "1e-400", "123456789012345678901234567890",
            "-9223372036854775809", "1.7976931348623157e309", "4.9e-325", "" };

    /** Ids that are not non-negative integers written in ASCII digits, as sent on the path. */
    private static final String[] BAD_IDS = { "-1", "-0", "+1", "%2B1", "1.0", "1e3", "0x1F", "1_000", "1,000", "abc", "1a", "a1",
            "%201", "1%20", "%091", "1%00", "%00", "%0A1", "1%0D%0A", "1%2F2", "..%2F1", "%2E%2E%2F1", "1%3B", "1;x=2", "1;",
            "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "%22%3E%3Cimg%20src%3Dx%3E", "%D9%A3", "%EF%BC%91", "%E0%A5%A7",
            "%F0%9D%9F%8F", "%C0%B1", "%FF", "%E2%82", "%C2%B9", "%C2%BD", "%E2%85%A0", "%E2%91%A0",
            "%E2%80%8B1", "1%E2%80%8B", "%EF%BB%BF1", "1%E2%80%AE", "null", "undefined", "NaN", "Infinity", "%7B%7D",
            "%24%7Bid%7D" };

    /** Paths with a '%' that starts no percent-escape. */
    private static final String[] MALFORMED_ESCAPES = { "%ZZ", "%1", "1%", "%%31", "%G1", "1%2", "%u0031" };

    private static final String[] WORDS = { "Apple", "Banana", "Cherry", "Durian", "Fig", "Grape", "Kiwi", "Lemon" };

    private static final String[] HOSTILE_NAMES = { "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
            "\"><svg onload=alert(1)>", "'; DROP TABLE products; --", "&lt;b&gt;", "&amp;", "{product.name}", "{#for x in y}",
            "${7*7}", "{{7*7}}", "../../etc/passwd", "%00", "%3Cscript%3E", "\\u003cscript\\u003e", "</td></tr></table>",
            "javascript:alert(1)", "\u202Egnp.exe", "a\u0000b", "line\nbreak", "tab\there", "\u001B[31mred\u001B[0m", "\uFEFFbom",
            "x\uD800y", "\uDFFFx", "\uD83C\uDF4E Apple", "e\u0301", "\u0627\u0644\u062A\u0641\u0627\u062D", "\u308A\u3093\u3054",
            "\u200Bzero\u200Bwidth", "\u0000", "\u0007", "\\", "\"", "'", "null", "true", "5", " padded ", "\u00A0A\u00A0" };

    private static String validName(SplittableRandom r) {
        return switch (r.nextInt(8)) {
            case 0, 1 -> WORDS[r.nextInt(WORDS.length)] + " " + r.nextInt(1000);
            case 2, 3 -> HOSTILE_NAMES[r.nextInt(HOSTILE_NAMES.length)];
            case 4 -> "n".repeat(NAME_LIMIT - 1) + "\u00E9";
            case 5 -> "\uD83C\uDF4E".repeat(NAME_LIMIT / 2);
            default -> "P" + randomText(r, r.nextInt(NAME_LIMIT), true);
        };
    }

    /**
     * {@code length} UTF-16 units of mostly printable text from several scripts, with controls and
     * (when {@code surrogates}) lone surrogates mixed in.
     */
    private static String randomText(SplittableRandom r, int length, boolean surrogates) {
        StringBuilder out = new StringBuilder(length);
        while (out.length() < length) {
            int kind = r.nextInt(10);
            if (kind == 0) {
                out.append((char) r.nextInt(0x20));
            } else if (kind == 1 && length - out.length() >= 2) {
                out.appendCodePoint(0x1F300 + r.nextInt(0x300));
            } else if (kind == 2 && surrogates) {
                out.append((char) (0xD800 + r.nextInt(0x800)));
            } else if (kind == 3) {
                out.append((char) (0xA0 + r.nextInt(0x3000)));
            } else {
                out.append((char) (0x20 + r.nextInt(0x5F)));
            }
        }
        return out.toString();
    }

    /**
     * {@code s} as a JSON string, some characters written as escapes, the rest as UTF-8; a lone
     * surrogate, which UTF-8 cannot carry, always as an escape.
     */
    private static String jsonString(String s, SplittableRandom r) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (pair) {
                if (r.nextInt(4) == 0) {
                    out.append(String.format("\\u%04x\\u%04x", (int) c, (int) s.charAt(i + 1)));
                } else {
                    out.append(c).append(s.charAt(i + 1));
                }
                i++;
            } else if (c < 0x20 || Character.isSurrogate(c) || r.nextInt(20) == 0) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /** {@code {"name":<value>}}, with white space here and there. */
    private static String object(SplittableRandom r, String value) {
        return ws(r) + "{" + ws(r) + "\"name\"" + ws(r) + ":" + ws(r) + value + ws(r) + "}" + ws(r);
    }

    private static String ws(SplittableRandom r) {
        return r.nextInt(4) != 0 ? "" : pick(r, new String[] { " ", "\n", "\t", "\r\n  " });
    }

    /** The id as a path segment: mostly plain, sometimes with leading zeros or percent-encoded digits. */
    private static String idSegment(int id, SplittableRandom r) {
        return switch (r.nextInt(10)) {
            case 0 -> "00" + id;
            case 1 -> percentEncodeAll(Integer.toString(id));
            default -> Integer.toString(id);
        };
    }

    private static String percentEncodeAll(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : utf8(s)) {
            out.append(String.format("%%%02X", b & 0xFF));
        }
        return out.toString();
    }

    private static Probe post(String idSegment, String contentType, String body, Outcome expected) {
        return post(idSegment, contentType, utf8(body), expected);
    }

    private static Probe post(String idSegment, String contentType, byte[] body, Outcome expected) {
        return new Probe("POST", "/products/" + idSegment, contentType, body, expected);
    }

    private static <T> T pick(SplittableRandom r, T[] choices) {
        return choices[r.nextInt(choices.length)];
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode parse(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static String field(Response response, String name) {
        JsonNode node = parse(response.asByteArray());
        return node == null ? null : node.path(name).textValue();
    }
}
