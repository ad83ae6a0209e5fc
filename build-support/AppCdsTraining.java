import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;

/**
 * Makes a packaged Quarkus service's class-data-sharing archive from a training run.
 *
 * <p>Quarkus' own AppCDS step ({@code quarkus.package.jar.appcds.enabled}) archives the classes
 * loaded while the application starts, then stops it. A service's first request then still loads
 * about a thousand classes from the jars (Jackson's serializers, Netty's HTTP codec, the REST
 * layer), a quarter of its time to first 200. This program starts the packaged application with
 * {@code -XX:ArchiveClassesAtExit}, waits until it reports ready (after its own warm-up), sends it
 * the requests of a training script, checks each answer's status, and stops it with SIGTERM: the
 * JVM writes the archive as it exits, with the classes of startup and of those requests. Quarkus offers such a training run (its integration
 * tests) only for JDK 25's AOT cache; this is the same idea for JDK 17's dynamic archive.
 *
 * <pre>
 * java build-support/AppCdsTraining.java --app=target/quarkus-app --script=src/main/appcds/training-run.txt
 * </pre>
 *
 * The script has one instruction a line; {@code #} starts a comment:
 * <pre>
 * downstream ENV PATH BODY     serve BODY (JSON, status 200) to every request on 127.0.0.1 and
 *                              set ENV to that server's URL with PATH, for the service to call
 * METHOD PATH STATUS [BODY]    send the request; fail unless it answers STATUS. A BODY starting
 *                              with { is sent as JSON, any other as an HTML form
 * </pre>
 *
 * The archive only fits the JDK that made it, run from the same directory with
 * {@code -XX:SharedArchiveFile=app-cds.jsa -jar quarkus-run.jar}. Everything listens on
 * 127.0.0.1; the whole run is bounded by {@code --timeout} seconds (default 120).
 */
public final class AppCdsTraining {

    private static final Pattern LISTENING = Pattern.compile("Listening on: http://[^:/]+:(\\d+)");
    private static final int ROUNDS = 3; // a class used once may stay unlinked, and is not archived
    private static final int LOG_TAIL = 30;

    private final Path app;
    private final Path script;
    private final String archive;
    private final long deadline;

    private AppCdsTraining(Path app, Path script, String archive, int timeoutSeconds) {
        this.app = app;
        this.script = script;
        this.archive = archive;
        this.deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    }

    public static void main(String[] args) {
        Map<String, String> options = new HashMap<>(Map.of("archive", "app-cds.jsa", "timeout", "120"));
        for (String arg : args) {
            Matcher m = Pattern.compile("--(app|script|archive|timeout)=(.+)").matcher(arg);
            if (!m.matches()) {
                fail("unknown argument '" + arg + "'; expected --app=DIR --script=FILE [--archive=NAME] [--timeout=SECONDS]");
            }
            options.put(m.group(1), m.group(2));
        }
        if (!options.containsKey("app") || !options.containsKey("script")) {
            fail("--app=DIR and --script=FILE are required");
        }
        int timeout = 0;
        try {
            timeout = Integer.parseInt(options.get("timeout"));
        } catch (NumberFormatException e) {
            fail("--timeout must be a number of seconds, not '" + options.get("timeout") + "'");
        }
        try {
            new AppCdsTraining(Path.of(options.get("app")), Path.of(options.get("script")),
                    options.get("archive"), timeout).run();
        } catch (TrainingFailure e) {
            fail(e.getMessage());
        } catch (Exception e) {
            fail(e.toString());
        }
    }

    private void run() throws Exception {
        if (!Files.isRegularFile(app.resolve("quarkus-run.jar"))) {
            throw new TrainingFailure("no quarkus-run.jar in " + app + ": package the application first");
        }
        List<String[]> requests = new ArrayList<>();
        List<HttpServer> downstreams = new ArrayList<>();
        ProcessBuilder builder = new ProcessBuilder();
        int lineNumber = 0;
        for (String line : Files.readAllLines(script)) {
            lineNumber++;
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            String[] words = text.split("\\s+", 4);
            String where = script + ":" + lineNumber + ": ";
            if (words[0].equals("downstream")) {
                if (words.length < 4) {
                    throw new TrainingFailure(where + "expected 'downstream ENV PATH BODY'");
                }
                HttpServer server = fakeDownstream(words[3]);
                downstreams.add(server);
                builder.environment().put(words[1],
                        "http://127.0.0.1:" + server.getAddress().getPort() + words[2]);
            } else {
                if (words.length < 3 || !words[2].matches("\\d{3}") || !words[1].startsWith("/")) {
                    throw new TrainingFailure(where + "expected 'METHOD /PATH STATUS [BODY]'");
                }
                requests.add(words);
            }
        }
        if (requests.isEmpty()) {
            throw new TrainingFailure(script + " names no request to train with");
        }

        Path log = app.resolveSibling("appcds-training.log");
        Files.deleteIfExists(app.resolve(archive));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        builder.command(java, "-XX:ArchiveClassesAtExit=" + archive,
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=0", "-jar", "quarkus-run.jar")
                .directory(app.toFile())
                .redirectErrorStream(true);
        // The output goes to a file, not a pipe: a pipe loses what the JVM writes as it exits
        // (the reaper thread closes it under a pending read), the archive dump's report included.
        builder.redirectOutput(log.toFile());
        Process process = builder.start();
        // Interrupted (Ctrl-C on the build), the trainer leaves no application behind.
        Thread reaper = new Thread(process::destroyForcibly, "stop-training-run");
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            train(waitForPort(process, log), requests);
        } catch (TrainingFailure e) {
            throw new TrainingFailure(e.getMessage() + tail(log));
        } catch (IOException e) {
            throw new TrainingFailure("the training run failed: " + e + tail(log));
        } finally {
            process.destroy(); // SIGTERM: Quarkus shuts down, the JVM writes the archive as it exits
            if (!process.waitFor(remainingNanos(), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly();
            }
            downstreams.forEach(server -> server.stop(0));
            Runtime.getRuntime().removeShutdownHook(reaper);
        }
        Path written = app.resolve(archive);
        if (!Files.isRegularFile(written)) {
            throw new TrainingFailure("the JVM wrote no " + written + " as it exited" + tail(log));
        }
        System.out.printf("[appcds] %s: %d requests x %d, archive %s (%d MB); log %s%n",
                app.toAbsolutePath().getParent().getParent().getFileName(), requests.size(), ROUNDS, written,
                Files.size(written) >> 20, log);
    }

    private void train(int port, List<String[]> requests) throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1) // as curl, wrk and Envoy call: no h2c upgrade path
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        awaitReady(client, port);
        for (int round = 0; round < ROUNDS; round++) {
            for (String[] words : requests) {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + words[1]))
                        .timeout(Duration.ofSeconds(10));
                String body = words.length > 3 ? words[3] : null;
                if (body == null) {
                    request.method(words[0], HttpRequest.BodyPublishers.noBody());
                } else {
                    request.header("Content-Type", body.startsWith("{") ? "application/json" : "application/x-www-form-urlencoded")
                            .method(words[0], HttpRequest.BodyPublishers.ofString(body));
                }
                HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != Integer.parseInt(words[2])) {
                    throw new TrainingFailure(words[0] + " " + words[1] + " answered " + response.statusCode()
                            + ", the script expects " + words[2] + ": " + abbreviate(response.body()));
                }
            }
        }
    }

    /**
     * Waits until the service reports ready: its warm-up (the warm-up module) has sent it its
     * requests, whose classes the archive then holds too.
     */
    private void awaitReady(HttpClient client, int port) throws Exception {
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(10)).build();
        int status = 0;
        while (System.nanoTime() < deadline) {
            status = client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status == 200) {
                return;
            }
            Thread.sleep(100);
        }
        throw new TrainingFailure("GET /q/health/ready still answered " + status + " when the time was up");
    }

    /** A server on 127.0.0.1 that answers every request 200 with the body: the service's dependency. */
    private static HttpServer fakeDownstream(String json) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    /** Reads the application's log as it grows until 'Listening on' names the port. */
    private int waitForPort(Process process, Path log) throws IOException, InterruptedException, TrainingFailure {
        try (BufferedReader in = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
            StringBuilder partial = new StringBuilder();
            while (System.nanoTime() < deadline) {
                boolean exited = !process.isAlive();
                int c;
                while ((c = in.read()) >= 0) {
                    if (c != '\n') {
                        partial.append((char) c);
                        continue;
                    }
                    Matcher m = LISTENING.matcher(partial);
                    if (m.find()) {
                        return Integer.parseInt(m.group(1));
                    }
                    partial.setLength(0);
                }
                if (exited) {
                    throw new TrainingFailure("the application exited (status " + process.exitValue()
                            + ") before it listened");
                }
                process.waitFor(20, TimeUnit.MILLISECONDS); // the log grows; poll it
            }
        }
        throw new TrainingFailure("the application did not report 'Listening on' within the time bound");
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "\nlast lines of " + log + ":\n  "
                    + String.join("\n  ", lines.subList(Math.max(0, lines.size() - LOG_TAIL), lines.size()));
        } catch (IOException e) {
            return "\n(" + log + " unreadable: " + e.getMessage() + ")";
        }
    }
    private long remainingNanos() {
        return Math.max(1, deadline - System.nanoTime());
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    private static void fail(String message) {
        System.err.println("[appcds] training failed: " + message);
        System.exit(1);
    }

    private static final class TrainingFailure extends Exception {
        TrainingFailure(String message) {
            super(message);
        }
    }
}
