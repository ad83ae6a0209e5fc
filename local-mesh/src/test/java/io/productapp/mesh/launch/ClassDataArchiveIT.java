package io.productapp.mesh.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.productapp.mesh.cli.DemoPorts;

/**
 * The class-data-sharing archive each service's build trains (build-support/AppCdsTraining.java)
 * is usable and holds the classes of a first request, not only those of startup: the three tiers
 * start with {@code -Xshare:on} (a JVM that cannot map the archive refuses to start), answer one
 * page, and the classes that page made each of them load are looked up in its class-load log.
 */
class ClassDataArchiveIT {

    private static final Path ROOT = Path.of(System.getProperty("productapp.root", "..")).toAbsolutePath().normalize();
    private static final Pattern LOADED = Pattern.compile("\\[class,load\\] (\\S+) source: (.+)$");

    @TempDir
    static Path logs;
    private static Suite suite;

    @BeforeAll
    static void startThreeTiersAndServeOnePage() throws Exception {
        assumeFalse(Boolean.getBoolean("appcds.skip"), "the services were built without archives (-Dappcds.skip)");
        Topology.Ports ports = Topology.Ports.DEFAULT.withOffset(DemoPorts.freeOffset());
        List<ServiceSpec> specs = new ArrayList<>();
        for (ServiceSpec spec : Topology.suite(ROOT, ports)) {
            if (spec.name().equals(Topology.CATALOGDETAIL_V2)) {
                continue;
            }
            List<String> options = new ArrayList<>(spec.jvmOptions());
            options.add("-Xshare:on");
            options.add("-Xlog:class+load=info:file=" + classLog(spec.name()));
            specs.add(new ServiceSpec(spec.name(), spec.app(), spec.port(), spec.env(), spec.readyPath(), options));
        }
        suite = Suite.start(specs, line -> { }, Duration.ofSeconds(90));
        HttpResponse<String> page = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.frontend() + "/"))
                        .timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).as("the page through all three tiers").isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        if (suite != null) {
            suite.close();
        }
    }

    private static Path classLog(String service) {
        return logs.resolve(service + "-classes.log");
    }

    @ParameterizedTest(name = "{0} loads {1} from its archive")
    @CsvSource({
            // the HTTP server's request: first made when the first request arrives
            "catalogdetail-v1, io.vertx.core.http.impl.Http1xServerRequest",
            "productcatalog,   io.vertx.core.http.impl.Http1xServerRequest",
            "frontend,         io.vertx.core.http.impl.Http1xServerRequest",
            // Jackson's serializer for a bean: first built for a first answer
            "catalogdetail-v1, com.fasterxml.jackson.databind.ser.BeanSerializer",
            // the HTTP client's connection: first opened by the first call downstream
            "productcatalog,   io.vertx.core.http.impl.Http1xClientConnection",
            "frontend,         io.vertx.core.http.impl.Http1xClientConnection" })
    void aFirstRequestsClassesComeFromTheTrainedArchive(String service, String className) throws Exception {
        String source = null;
        for (String line : Files.readAllLines(classLog(service))) {
            Matcher m = LOADED.matcher(line);
            if (m.find() && m.group(1).equals(className)) {
                source = m.group(2);
            }
        }
        assertThat(source).as("where %s loaded %s from", service, className)
                .isEqualTo("shared objects file (top)");
    }
}
