package io.productapp.downstream.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The bookkeeping of a seeded, bounded fuzz run, which productcatalog's and frontend's fuzzers
 * share; what they send and what each answer must be stays theirs. A run draws each request from
 * one {@link SplittableRandom}: a category, by weight, then the request from that category's
 * generator, so that a seed gives the same requests in the same order. It counts the answers'
 * statuses by category, collects findings by category, stops once more than
 * {@value #MAX_UNANSWERED} requests got no answer, and at the end prints a report, writes every
 * finding to {@code target/<test>-findings.txt} and fails if there was any.
 * <p>
 * {@code -Dfuzz.seed=N} replays or varies a run (the seed is printed), {@code -Dfuzz.requests=N}
 * changes its length.
 *
 * @param <P> the requests the categories generate
 */
public final class FuzzRun<P extends FuzzRun.Request> {

    private static final long SEED = Long.getLong("fuzz.seed", 20_250_601L);
    private static final int REQUESTS = Integer.getInteger("fuzz.requests", 3000);
    /** How many requests may go unanswered before the run stops: each may have waited {@value RawHttp#READ_TIMEOUT_MS} ms. */
    private static final int MAX_UNANSWERED = 3;

    /** A generated request, which a finding describes. */
    public interface Request {

        /** The request as a finding shows it: printable, cut if long. */
        String describe();
    }

    /** A kind of request, drawn {@code weight} times in the sum of all weights. */
    public record Category<P>(String name, int weight, Function<SplittableRandom, P> generator) {
    }

    private final String test;
    private final List<Category<P>> categories;
    private final int totalWeight;
    private final SplittableRandom random = new SplittableRandom(SEED);
    private final Map<String, Map<Integer, Integer>> outcomes = new LinkedHashMap<>();
    private final Map<String, List<String>> findings = new TreeMap<>();
    private int request;
    private int unanswered;
    private Category<P> category;
    private P probe;

    /** A run of {@code test}'s categories; prints the seed, to replay it. */
    public FuzzRun(Class<?> test, List<Category<P>> categories) {
        this.test = test.getSimpleName();
        this.categories = categories;
        this.totalWeight = categories.stream().mapToInt(Category::weight).sum();
        categories.forEach(c -> outcomes.put(c.name(), new TreeMap<>()));
        System.out.printf("%s: seed %d (-Dfuzz.seed=%d replays it), %d requests%n", this.test, SEED, SEED, REQUESTS);
    }

    /** Whether the run has requests left to send. */
    public boolean hasNext() {
        return request < REQUESTS;
    }

    /** The next request, from a category drawn by weight. */
    public P next() {
        request++;
        int ticket = random.nextInt(totalWeight);
        for (Category<P> c : categories) {
            ticket -= c.weight();
            if (ticket < 0) {
                category = c;
                probe = c.generator().apply(random);
                return probe;
            }
        }
        throw new IllegalStateException();
    }

    /** The number of the current request, from 1. */
    public int request() {
        return request;
    }

    /**
     * Counts the current request's answer; false, with findings saying so, when it got none and
     * more than {@value #MAX_UNANSWERED} did: the run stops there.
     */
    public boolean answered(RawHttp.Answer answer) {
        outcomes.get(category.name()).merge(answer.status(), 1, Integer::sum);
        if (answer.status() == RawHttp.NO_ANSWER && ++unanswered > MAX_UNANSWERED) {
            wrong(printable(answer.body()));
            finding("run", "stopped after #" + request + ": " + unanswered + " requests got no answer");
            return false;
        }
        return true;
    }

    /** A finding about the current request, in its category: {@code what} is wrong with its answer. */
    public void wrong(String what) {
        finding(category.name(), "#" + request + " " + probe.describe() + "\n      " + what);
    }

    /** Whether the current request is a multiple of {@code every} or the last: time to compare the model with the service. */
    public boolean isCheckpoint(int every) {
        return request % every == 0 || request == REQUESTS;
    }

    /** A finding in {@code category}: a category of requests, or what the test checks besides the answers. */
    public void finding(String category, String what) {
        findings.computeIfAbsent(category, c -> new ArrayList<>()).add(what);
    }

    /** Prints the report and writes the findings; fails, with the report, if there is any. */
    public void assertNoFindings() {
        String report = report();
        System.out.println(report);
        writeFindings();
        assertTrue(findings.isEmpty(), report);
    }

    /** Answers by category and status, then the findings by category, the first few of each in full. */
    private String report() {
        StringBuilder out = new StringBuilder(test + ", seed " + SEED + " (-Dfuzz.seed=" + SEED + " replays it): answers by category\n");
        outcomes.forEach((category, statuses) -> out.append(String.format("  %-30s %5d  %s%n", category,
                statuses.values().stream().mapToInt(Integer::intValue).sum(), statuses)));
        out.append("findings: ").append(findings.values().stream().mapToInt(List::size).sum()).append('\n');
        findings.forEach((category, list) -> {
            out.append("  ").append(category).append(": ").append(list.size()).append('\n');
            list.stream().limit(3).forEach(f -> out.append("    ").append(f).append('\n'));
        });
        return out.toString();
    }

    /** Every finding in full, in target/, for when the report's first few are not enough. */
    private void writeFindings() {
        StringBuilder all = new StringBuilder();
        findings.forEach((category, list) -> list.forEach(f -> all.append(category).append(": ").append(f).append('\n')));
        try {
            Files.writeString(Path.of("target", test + "-findings.txt"), all);
        } catch (IOException e) {
            System.out.println("could not write the findings: " + e);
        }
    }

    /** A string for a finding: printable ASCII as is, other characters as \\uXXXX, long ones cut. */
    public static String escaped(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(s.length(), 160); i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return s.length() > 160 ? out + "... (" + s.length() + " chars)" : out.toString();
    }

    /** A body for a finding: printable ASCII as is, other bytes as \xHH, long ones cut. */
    public static String printable(byte[] body) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(body.length, 160); i++) {
            int b = body[i] & 0xFF;
            out.append(b >= 0x20 && b < 0x7F ? String.valueOf((char) b) : String.format("\\x%02X", b));
        }
        return body.length > 160 ? out + "... (" + body.length + " bytes)" : out.toString();
    }
}
