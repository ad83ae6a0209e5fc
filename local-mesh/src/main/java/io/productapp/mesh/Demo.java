package io.productapp.mesh;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.productapp.mesh.Suite.SuiteException;
import io.productapp.mesh.Topology.Ports;
import io.productapp.mesh.config.Check;

/**
 * {@code ./demo}: the suite on 127.0.0.1. Starts the four packaged services, waits until each
 * is ready, prints the page URL, and stops them all on Ctrl-C or as soon as one of them dies.
 */
public final class Demo {

    static final String USAGE = """
            usage: ./demo [--port-offset N] [--smoke]
                   ./demo check [scenario folder...]
              Starts catalogdetail v1 (:3000) and v2 (:3001), productcatalog (:5000) and frontend (:9000)
              on 127.0.0.1, productcatalog calling catalogdetail v1. Ctrl-C stops them all.
              --port-offset N  add N to every port (when the defaults are taken)
              --smoke          start, check that the page is served, stop; exit 0 when it was
              check            validate istio/ scenario folders (default: all) against Istio 1.30.3's
                               schemas, webhook rules and istioctl analyze checks; exit 1 on errors
            """;

    private Demo() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("check")) {
            return Check.run(java.util.List.of(args).subList(1, args.length), root(), out, err);
        }
        int offset = 0;
        boolean smoke = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> smoke = true;
                case "--port-offset" -> {
                    if (i + 1 == args.length) {
                        err.println("demo: --port-offset needs a number\n" + USAGE);
                        return 2;
                    }
                    try {
                        offset = Integer.parseInt(args[++i]);
                    } catch (NumberFormatException e) {
                        err.println("demo: --port-offset must be a whole number, got '" + args[i] + "'");
                        return 2;
                    }
                    if (offset < 0 || offset > 55_000) {
                        err.println("demo: --port-offset must be between 0 and 55000, got " + offset);
                        return 2;
                    }
                }
                case "-h", "--help" -> {
                    out.print(USAGE);
                    return 0;
                }
                default -> {
                    err.println("demo: unknown argument '" + args[i] + "'\n" + USAGE);
                    return 2;
                }
            }
        }
        Path root = root();
        Ports ports = Ports.DEFAULT.withOffset(offset);
        out.println("demo: starting the suite on 127.0.0.1 ...");
        Suite suite;
        try {
            suite = Suite.start(Topology.suite(root, ports), out::println, Duration.ofSeconds(90));
        } catch (SuiteException | IOException e) {
            err.println("demo: could not start the suite: " + e.getMessage());
            return 1;
        }
        URI page = URI.create("http://127.0.0.1:" + ports.frontend() + "/");
        if (smoke) {
            try (suite) {
                return smokeCheck(page, out, err);
            }
        }
        AtomicBoolean stopping = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true);
            out.println("demo: stopping the services");
            suite.close();
            out.println("demo: stopped");
        }, "demo-stop"));
        out.println();
        out.println("demo: ready. Open " + page);
        out.println("demo: productcatalog -> catalogdetail v1 (http://127.0.0.1:" + ports.catalogdetailV1()
                + "/catalogDetail); v2 at http://127.0.0.1:" + ports.catalogdetailV2() + "/catalogDetail");
        out.println("demo: Ctrl-C stops everything.");
        try {
            ServiceProcess dead = suite.anyExit().get();
            if (stopping.get()) {
                return 0;
            }
            err.println("demo: " + dead.spec().name() + " exited with code " + dead.exitCode()
                    + "; stopping the others. Its last lines:\n  " + String.join("\n  ", dead.tail()));
            suite.close();
            return 1;
        } catch (InterruptedException | ExecutionException e) {
            suite.close();
            return 1;
        }
    }

    private static Path root() {
        return Path.of(System.getProperty("productapp.root", ".")).toAbsolutePath().normalize();
    }

    private static int smokeCheck(URI page, PrintStream out, PrintStream err) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(page).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            String version = response.headers().firstValue("x-catalogdetail-version").orElse(null);
            if (response.statusCode() == 200 && version != null && response.body().contains("Product Catalog Application")) {
                out.println("demo: smoke OK: " + page + " answered 200, served by catalogdetail v" + version);
                return 0;
            }
            err.println("demo: smoke FAILED: " + page + " answered " + response.statusCode()
                    + " with x-catalogdetail-version=" + version);
            return 1;
        } catch (IOException e) {
            err.println("demo: smoke FAILED: " + page + ": " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }
}
