package io.productapp.mesh.scenario;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.productapp.loadtest.cli.LoadTestCommand;
import io.productapp.mesh.config.CrdSchemas;

/**
 * How {@code ./demo run} shows a scenario folder: a file {@value #FILE} beside its manifests
 * (kubectl reads only {@code .yaml}, {@code .yml} and {@code .json} files, so it never sees it),
 * one step a line, run in order after the folder is applied:
 *
 * <pre>
 * load -c 10 -b -t 15S --expect v1=90,v2=10     ./loadtest against the ingress, with these options
 * fault service=catalogdetail zone=us-west-2a   GET /injectFault on the instances selected
 * reset service=catalogdetail zone=us-west-2a   GET /resetFault on them
 * env productcatalog AGG_APP_URL=http://...     set env on a Deployment: it rolls out (a new pod, Ready, then the old one goes)
 * kill service=catalogdetail zone=us-west-2a    SIGKILL the selected pods' containers (the kubelet restarts them)
 * wait ready service=catalogdetail              wait until the selected pods are Ready (at most 2 minutes)
 * apply ../setup-mesh-resources                 apply another folder (relative to this one)
 * wait 31s                                      let time pass (an ejection ending, say)
 * expect flag UO &gt; 0                            a response flag seen since the last load began
 * expect flag FI 20%                            ... on this share of the proxies' requests (3.5 standard deviations of the sample)
 * expect flag FI 20% ±6                         ... within this band instead
 * expect mirrored 50%                           mirrored copies, as a share of the mirroring proxies' requests
 * expect restarts 1 service=catalogdetail        each selected pod has restarted this many times
 * </pre>
 *
 * Instances are selected by name ({@code catalogdetail-0}), by Deployment ({@code catalogdetail}),
 * or by conditions: {@code service=NAME} (the Service's pods), {@code zone=ZONE}, or any pod label
 * ({@code version=v2}). {@code #} starts a comment.
 */
public record Recipe(Path file, List<Step> steps) {

    public static final String FILE = "demo.run";

    public sealed interface Step {
        int line();
    }

    public record Load(int line, List<String> options) implements Step {
    }

    public record Fault(int line, boolean inject, List<String> selector) implements Step {
    }

    public record Env(int line, String deployment, Map<String, String> env) implements Step {
    }

    public record Apply(int line, Path folder) implements Step {
    }

    public record Wait(int line, Duration duration) implements Step {
    }

    /** {@code kill SELECTOR}: SIGKILL the selected pods' containers, as a crash. */
    public record Kill(int line, List<String> selector) implements Step {
    }

    /** {@code wait ready SELECTOR}: until the selected pods are Ready. */
    public record AwaitReady(int line, List<String> selector) implements Step {
    }

    /** {@code expect restarts N SELECTOR}: each selected pod has restarted N times. */
    public record ExpectRestarts(int line, int restarts, List<String> selector) implements Step {
    }

    /**
     * {@code expect flag F ...} or {@code expect mirrored ...}: at least once ({@code > 0}), or a
     * share; {@code tolerance} in percentage points, or NaN for the band the sample's size gives.
     */
    public record Expect(int line, String what, boolean atLeastOnce, double percent, double tolerance) implements Step {

        /** Whether the band comes from the sample's size (no {@code ±T} written). */
        public boolean derivedBand() {
            return Double.isNaN(tolerance);
        }
    }

    /** {@code 20} for 20.0, {@code 12.5} otherwise. */
    static String number(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }

    /** The recipe of a folder, if it has one. */
    public static Optional<Recipe> of(Path folder) throws IOException, RecipeException {
        Path file = folder.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        return Optional.of(parse(file, Files.readAllLines(file)));
    }

    static Recipe parse(Path file, List<String> lines) throws RecipeException {
        List<Step> steps = new ArrayList<>();
        for (int n = 1; n <= lines.size(); n++) {
            String line = stripComment(lines.get(n - 1)).strip();
            if (line.isEmpty()) {
                continue;
            }
            List<String> words = words(line, file, n);
            String verb = words.get(0);
            List<String> args = words.subList(1, words.size());
            int at = n;
            steps.add(switch (verb) {
                case "load" -> {
                    try {
                        LoadTestCommand.prepare(args);
                    } catch (IllegalArgumentException | IOException e) {
                        throw new RecipeException(file, at, "load: " + e.getMessage().lines().findFirst().orElse(""));
                    }
                    yield new Load(n, List.copyOf(args));
                }
                case "fault", "reset" -> {
                    if (args.isEmpty()) {
                        throw new RecipeException(file, at, verb + " needs the instances: a name, a Deployment, or service=/zone=/label= conditions");
                    }
                    yield new Fault(n, verb.equals("fault"), List.copyOf(args));
                }
                case "env" -> {
                    if (args.size() < 2) {
                        throw new RecipeException(file, at, "env needs a Deployment and NAME=VALUE");
                    }
                    Map<String, String> env = new LinkedHashMap<>();
                    for (String assignment : args.subList(1, args.size())) {
                        int eq = assignment.indexOf('=');
                        if (eq <= 0) {
                            throw new RecipeException(file, at, "env: expected NAME=VALUE, got '" + assignment + "'");
                        }
                        env.put(assignment.substring(0, eq), assignment.substring(eq + 1));
                    }
                    yield new Env(n, args.get(0), env);
                }
                case "apply" -> {
                    if (args.size() != 1) {
                        throw new RecipeException(file, at, "apply needs one folder");
                    }
                    yield new Apply(n, file.getParent().resolve(args.get(0)).normalize());
                }
                case "kill" -> {
                    if (args.isEmpty()) {
                        throw new RecipeException(file, at, "kill needs the pods: a name, a Deployment, or service=/zone=/label= conditions");
                    }
                    yield new Kill(n, List.copyOf(args));
                }
                case "wait" -> {
                    if (!args.isEmpty() && args.get(0).equals("ready")) {
                        if (args.size() < 2) {
                            throw new RecipeException(file, at, "wait ready needs the pods: a name, a Deployment, or conditions");
                        }
                        yield new AwaitReady(n, List.copyOf(args.subList(1, args.size())));
                    }
                    Long nanos = args.size() == 1 ? CrdSchemas.durationNanos(args.get(0)) : null;
                    if (nanos == null) {
                        throw new RecipeException(file, at, "wait needs one duration (31s, 500ms), or 'ready' and the pods");
                    }
                    yield new Wait(n, Duration.ofNanos(nanos));
                }
                case "expect" -> expect(file, at, args);
                default -> throw new RecipeException(file, at, "unknown step '" + verb
                        + "' (load, fault, reset, kill, env, apply, wait, expect)");
            });
        }
        if (steps.stream().noneMatch(s -> s instanceof Load)) {
            throw new RecipeException(file, lines.size(), "a recipe needs at least one load step");
        }
        return new Recipe(file, steps);
    }

    private static Step expect(Path file, int line, List<String> args) throws RecipeException {
        if (!args.isEmpty() && args.get(0).equals("restarts")) {
            if (args.size() < 3 || !args.get(1).matches("\\d+")) {
                throw new RecipeException(file, line, "expect restarts: expected 'expect restarts N PODS', e.g. expect restarts 1 catalogdetail-0");
            }
            return new ExpectRestarts(line, Integer.parseInt(args.get(1)), List.copyOf(args.subList(2, args.size())));
        }
        // expect flag UO > 0 | expect flag FI 20% | expect flag FI 20% ±6 | expect mirrored 50%
        int i = 0;
        String what;
        if (args.size() > 1 && args.get(0).equals("flag")) {
            what = "flag " + args.get(1);
            i = 2;
        } else if (!args.isEmpty() && args.get(0).equals("mirrored")) {
            what = "mirrored";
            i = 1;
        } else {
            throw new RecipeException(file, line, "expect: 'flag FLAG ...', 'mirrored ...' or 'restarts N PODS'");
        }
        List<String> rest = args.subList(i, args.size());
        if (rest.size() == 2 && rest.get(0).equals(">") && rest.get(1).equals("0")) {
            return new Expect(line, what, true, 0, 0);
        }
        if ((rest.size() == 1 || rest.size() == 2 && rest.get(1).startsWith("±")) && rest.get(0).endsWith("%")) {
            try {
                double percent = Double.parseDouble(rest.get(0).replace("%", ""));
                double tolerance = rest.size() == 1 ? Double.NaN : Double.parseDouble(rest.get(1).substring(1).replace("%", ""));
                if (percent >= 0 && percent <= 100 && !(tolerance < 0)) {
                    return new Expect(line, what, false, percent, tolerance);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new RecipeException(file, line, "expect " + what + ": expected '> 0', 'P%' (0 to 100) or 'P% ±T', got '"
                + String.join(" ", rest) + "'");
    }

    private static String stripComment(String line) {
        boolean single = false;
        boolean dbl = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'' && !dbl) {
                single = !single;
            } else if (c == '"' && !single) {
                dbl = !dbl;
            } else if (c == '#' && !single && !dbl && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    /** Splits a line into words as a shell would for these simple cases: spaces, and '...' or "..." quoting. */
    static List<String> words(String line, Path file, int n) throws RecipeException {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new RecipeException(file, n, "unclosed quote " + quote);
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /** A recipe that cannot be read; the message names its file and line. */
    public static final class RecipeException extends Exception {
        public RecipeException(Path file, int line, String message) {
            super(file + ":" + line + ": " + message);
        }
    }
}
