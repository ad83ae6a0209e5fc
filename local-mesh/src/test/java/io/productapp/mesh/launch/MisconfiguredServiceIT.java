package io.productapp.mesh.launch;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.productapp.mesh.cli.DemoPorts;

/** A packaged service given a bad downstream URL refuses to start and says which setting is wrong. */
class MisconfiguredServiceIT {

    private static final Path ROOT = Path.of(System.getProperty("productapp.root", "..")).toAbsolutePath().normalize();

    @ParameterizedTest(name = "{0} with {1}={2}")
    @CsvSource({
            "productcatalog, AGG_APP_URL, catalogdetail:3000/catalogDetail",
            "productcatalog, AGG_APP_URL, http://catalog detail:3000/catalogDetail",
            "frontend,       BASE_URL,    ftp://productcatalog:5000/products/" })
    void aBadDownstreamUrlStopsTheStartWithAMessageNamingTheSetting(String module, String setting, String url)
            throws Exception {
        int port = Topology.Ports.DEFAULT.withOffset(DemoPorts.freeOffset()).frontend();
        ServiceSpec spec = new ServiceSpec(module, Topology.app(ROOT, module), port, Map.of(setting, url), "/q/health/ready",
                Topology.jvmOptions(ROOT));
        assertThatThrownBy(() -> Suite.start(List.of(spec), line -> { }, Duration.ofSeconds(60)))
                .isInstanceOf(Suite.SuiteException.class)
                .hasMessageContaining(module)
                .hasMessageContaining(setting + " must be an absolute http URL, got '" + url + "'");
    }
}
