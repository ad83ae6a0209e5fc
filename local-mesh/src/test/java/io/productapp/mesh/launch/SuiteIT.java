package io.productapp.mesh.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.productapp.mesh.cli.DemoPorts;

/**
 * End to end on the packaged applications: catalogdetail v1, productcatalog and frontend as
 * real processes on free loopback ports, wired by their env knobs as on a cluster.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SuiteIT {

    private static final Path ROOT = Path.of(System.getProperty("productapp.root", "..")).toAbsolutePath().normalize();
    private static Suite suite;
    private static Topology.Ports ports;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void startThreeTiers() throws Exception {
        ports = Topology.Ports.DEFAULT.withOffset(DemoPorts.freeOffset());
        List<ServiceSpec> threeTiers = Topology.suite(ROOT, ports).stream()
                .filter(spec -> !spec.name().equals(Topology.CATALOGDETAIL_V2))
                .toList();
        suite = Suite.start(threeTiers, System.out::println, Duration.ofSeconds(90));
    }

    @AfterAll
    static void stop() {
        if (suite != null) {
            suite.close();
            assertThat(suite.services()).noneMatch(ServiceProcess::isAlive);
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.frontend() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(1)
    void pageCarriesCatalogDetailDataThroughAllThreeTiers() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("x-catalogdetail-version")).contains("1");
        assertThat(page.body()).contains("Product Catalog Application", "<td>ABC.com</td>");
    }

    @Test
    @Order(2)
    void aProductAddedThroughThePageIsListed() throws Exception {
        HttpResponse<String> added = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.frontend() + "/products"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("id=42&name=Quince"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(added.statusCode()).isEqualTo(303);
        assertThat(get("/").body()).contains("<td>42</td><td>Quince</td>");
    }

    @Test
    @Order(3)
    void whenCatalogDetailDiesThePageAnswers502AndTheSuiteNoticesTheExit() throws Exception {
        ServiceProcess catalogDetail = suite.service(Topology.CATALOGDETAIL_V1);
        var firstExit = suite.anyExit();
        ProcessHandle.of(catalogDetail.pid()).orElseThrow().destroyForcibly(); // a crash, not a stop the suite asked for

        assertThat(firstExit.get(10, TimeUnit.SECONDS)).isSameAs(catalogDetail);
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(502);
        assertThat(page.body()).contains("productcatalog is unavailable", "catalogdetail at");
    }
}
