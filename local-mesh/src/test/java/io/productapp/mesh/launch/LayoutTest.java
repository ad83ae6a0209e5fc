package io.productapp.mesh.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.productapp.mesh.config.Sources;
import io.productapp.mesh.analysis.ScenarioValidator;
import io.productapp.mesh.model.MeshConfig;

/** The chart's workloads as local instances: names, labels, zones, ports, applications, environment. */
class LayoutTest {

    static final Path ROOT = Path.of(System.getProperty("productapp.root", "..")).toAbsolutePath().normalize();

    static Layout layout(Map<String, String> values, int offset) {
        MeshConfig chart = MeshConfig.of(Sources.renderChart(ROOT.resolve("helm/productapp"), values).manifests());
        return Layout.of(chart, ROOT, Layout.Ports.DEFAULT.withOffset(offset));
    }

    @Test
    void eachDeploymentBecomesItsInstancesWithThePodLabelsAndTheServicesOwnPorts() {
        Layout layout = layout(Map.of(), 0);
        assertThat(layout.instances()).extracting(Layout.Instance::name)
                .containsExactly("catalogdetail-0", "catalogdetail2-0", "productcatalog-0", "frontend-0");
        Layout.Instance v2 = layout.instance("catalogdetail2-0");
        assertThat(v2.labels()).containsEntry("app", "catalogdetail").containsEntry("version", "v2");
        assertThat(v2.port()).isEqualTo(3001);
        assertThat(v2.sidecarPort()).isEqualTo(15002);
        assertThat(v2.app()).isEqualTo(ROOT.resolve("catalogdetail-v2/target/quarkus-app/quarkus-run.jar"));
        assertThat(layout.instance("frontend-0").port()).isEqualTo(9000);
    }

    @Test
    void thePodsOfAServiceSpreadOverTheZones() {
        Layout layout = layout(Map.of(), 0);
        assertThat(layout.instance("catalogdetail-0").locality().toString()).isEqualTo("us-west-2/us-west-2a");
        assertThat(layout.instance("catalogdetail2-0").locality().toString()).isEqualTo("us-west-2/us-west-2b");
        assertThat(layout.instance("productcatalog-0").locality().zone()).isEqualTo("us-west-2a");
    }

    @Test
    void replicasComeFromTheChartsValues() {
        Layout layout = layout(Map.of("catalogdetail.v1.replicas", "2"), 0);
        assertThat(layout.instances()).extracting(Layout.Instance::name)
                .containsExactly("catalogdetail-0", "catalogdetail-1", "catalogdetail2-0", "productcatalog-0", "frontend-0");
        assertThat(layout.instance("catalogdetail-1").port()).isEqualTo(3001);
        assertThat(layout.instance("catalogdetail2-0").port()).isEqualTo(3002);
        assertThat(layout.instance("catalogdetail-1").locality().zone()).isEqualTo("us-west-2b");
        assertThat(layout.instance("catalogdetail2-0").locality().zone()).isEqualTo("us-west-2c");
    }

    @Test
    void servicesKeepTheChartsClusterUrlsAndCallOutThroughTheirSidecar() {
        Layout layout = layout(Map.of(), 100);
        Layout.Instance productcatalog = layout.instance("productcatalog-0");
        assertThat(productcatalog.env())
                .containsEntry("AGG_APP_URL", "http://catalogdetail.workshop.svc.cluster.local:3000/catalogDetail")
                .containsEntry("QUARKUS_PROXY_HOST", "127.0.0.1").containsEntry("QUARKUS_PROXY_PORT", "15103")
                .containsEntry("CATALOGDETAIL_ZONE", "us-west-2a")
                .doesNotContainKey("JAVA_TOOL_OPTIONS");
        assertThat(productcatalog.port()).isEqualTo(5100);
        assertThat(layout.instance("frontend-0").env())
                .containsEntry("BASE_URL", "http://productcatalog.workshop.svc.cluster.local:5000/products/");
        assertThat(layout.instance("catalogdetail-0").env()).containsEntry("CATALOGDETAIL_INSTANCE", "catalogdetail-0");
    }
}
