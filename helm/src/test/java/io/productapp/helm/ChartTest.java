package io.productapp.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;

import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRoute;
import io.fabric8.istio.api.networking.v1.Gateway;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

class ChartTest {

    private static RenderedChart defaults;

    @BeforeAll
    static void renderDefaults() {
        defaults = RenderedChart.render(Map.of());
    }

    private static Container container(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static String env(Deployment deployment, String name) {
        return container(deployment).getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue)
                .findFirst().orElse(null);
    }

    @Test
    void strictLintPasses() {
        LintResult lint = new Helm(RenderedChart.CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void rendersTheOriginalChartsObjects() {
        assertThat(defaults.all(Deployment.class)).containsOnlyKeys("catalogdetail", "catalogdetail2", "productcatalog", "frontend");
        assertThat(defaults.all(Service.class)).containsOnlyKeys("catalogdetail", "productcatalog", "frontend");
        assertThat(defaults.all(ServiceAccount.class)).containsOnlyKeys("catalogdetail-sa", "productcatalog-sa", "frontend-sa");
        assertThat(defaults.all(Gateway.class)).containsOnlyKeys("productapp-gateway");
        assertThat(defaults.all(VirtualService.class)).containsOnlyKeys("productapp");
        assertThat(defaults.all(PodDisruptionBudget.class)).isEmpty();
        assertThat(defaults.objects).allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isEqualTo("workshop"));
    }

    static Stream<Arguments> services() {
        return Stream.of(Arguments.of("catalogdetail", 3000, List.of("catalogdetail", "catalogdetail2")),
                Arguments.of("productcatalog", 5000, List.of("productcatalog")),
                Arguments.of("frontend", 9000, List.of("frontend")));
    }

    @ParameterizedTest(name = "{0}:{1}")
    @MethodSource("services")
    void servicePortIsNamedHttpAndSelectsExactlyItsDeploymentsPods(String name, int port, List<String> deployments) {
        Service service = defaults.one(Service.class, name);
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("http");
            assertThat(p.getPort()).isEqualTo(port);
        });
        Map<String, String> selector = service.getSpec().getSelector();
        defaults.all(Deployment.class).forEach((deploymentName, deployment) -> {
            Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
            boolean selected = podLabels.entrySet().containsAll(selector.entrySet());
            assertThat(selected).as("%s selects %s", name, deploymentName).isEqualTo(deployments.contains(deploymentName));
            if (selected) {
                assertThat(container(deployment).getPorts()).singleElement()
                        .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(port));
            }
        });
    }

    static Stream<Arguments> workloads() {
        return Stream.of(Arguments.of("catalogdetail", "catalogdetail", "v1", "productapp/catalogdetail-v1"),
                Arguments.of("catalogdetail2", "catalogdetail", "v2", "productapp/catalogdetail-v2"),
                Arguments.of("productcatalog", "productcatalog", "v1", "productapp/productcatalog"),
                Arguments.of("frontend", "frontend", "v1", "productapp/frontend"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("workloads")
    void podsCarryAppAndVersionLabelsThatTheStableSelectorMatches(String name, String app, String version, String image) {
        Deployment deployment = defaults.one(Deployment.class, name);
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels).containsEntry("app", app).containsEntry("version", version)
                .containsEntry("app.kubernetes.io/name", app)
                .containsEntry("app.kubernetes.io/instance", "productapp")
                .containsKeys("app.kubernetes.io/version", "app.kubernetes.io/part-of");
        assertThat(deployment.getSpec().getSelector().getMatchLabels())
                .isEqualTo(Map.of("app", app, "version", version));
        assertThat(container(deployment).getImage()).isEqualTo(image + ":1.0.0-SNAPSHOT");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("workloads")
    void podsAreHardenedByDefault(String name) {
        Deployment deployment = defaults.one(Deployment.class, name);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isNotEqualTo(1337L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        var security = container(deployment).getSecurityContext();
        assertThat(security.getAllowPrivilegeEscalation()).isFalse();
        assertThat(security.getReadOnlyRootFilesystem()).isTrue();
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container(deployment).getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        assertThat(pod.getVolumes()).anySatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("workloads")
    void probesUseTheQuarkusHealthEndpointsOnTheHttpPort(String name) {
        Container container = container(defaults.one(Deployment.class, name));
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("workloads")
    void podsSpreadAcrossZonesByDefault(String name) {
        Deployment deployment = defaults.one(Deployment.class, name);
        assertThat(deployment.getSpec().getTemplate().getSpec().getTopologySpreadConstraints()).singleElement().satisfies(c -> {
            assertThat(c.getTopologyKey()).isEqualTo("topology.kubernetes.io/zone");
            assertThat(c.getLabelSelector().getMatchLabels()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        });
    }

    @Test
    void zoneSpreadCanBeSwitchedOff() {
        RenderedChart chart = RenderedChart.render(Map.of("topologySpread.enabled", false));
        assertThat(chart.all(Deployment.class).values())
                .allSatisfy(d -> assertThat(d.getSpec().getTemplate().getSpec().getTopologySpreadConstraints()).isNullOrEmpty());
    }

    @Test
    void serviceUrlsAreBuiltFromTheReleaseNamespace() {
        RenderedChart chart = RenderedChart.render("shop", Map.of());
        assertThat(env(chart.one(Deployment.class, "productcatalog"), "AGG_APP_URL"))
                .isEqualTo("http://catalogdetail.shop.svc.cluster.local:3000/catalogDetail");
        assertThat(env(chart.one(Deployment.class, "frontend"), "BASE_URL"))
                .isEqualTo("http://productcatalog.shop.svc.cluster.local:5000/products/");
    }

    @Test
    void overridesReachTheObjects() {
        RenderedChart chart = RenderedChart.render(Map.of(
                "productcatalog.aggAppUrl", "http://catalogdetail:3000/v2/catalogDetail",
                "frontend.replicas", 3,
                "image.registry", "123456789012.dkr.ecr.us-west-2.amazonaws.com",
                "image.tag", "2.0.0",
                "catalogdetail.v2.image.tag", "2.0.1",
                "frontend.extraEnv[0].name", "QUARKUS_LOG_LEVEL",
                "frontend.extraEnv[0].value", "DEBUG"));
        Deployment frontend = chart.one(Deployment.class, "frontend");
        assertThat(env(chart.one(Deployment.class, "productcatalog"), "AGG_APP_URL")).isEqualTo("http://catalogdetail:3000/v2/catalogDetail");
        assertThat(frontend.getSpec().getReplicas()).isEqualTo(3);
        assertThat(env(frontend, "QUARKUS_LOG_LEVEL")).isEqualTo("DEBUG");
        assertThat(container(frontend).getImage()).isEqualTo("123456789012.dkr.ecr.us-west-2.amazonaws.com/productapp/frontend:2.0.0");
        assertThat(container(chart.one(Deployment.class, "catalogdetail2")).getImage()).endsWith("/productapp/catalogdetail-v2:2.0.1");
    }

    @Test
    void podDisruptionBudgetsSelectTheirDeploymentsPodsWhenEnabled() {
        RenderedChart chart = RenderedChart.render(Map.of("podDisruptionBudget.enabled", true));
        assertThat(chart.all(PodDisruptionBudget.class)).containsOnlyKeys("catalogdetail", "catalogdetail2", "productcatalog", "frontend");
        chart.all(PodDisruptionBudget.class).forEach((name, pdb) -> assertThat(pdb.getSpec().getSelector().getMatchLabels())
                .isEqualTo(chart.one(Deployment.class, name).getSpec().getSelector().getMatchLabels()));
    }

    @Test
    void gatewayAndVirtualServiceRouteTheIngressToTheFrontend() {
        Gateway gateway = defaults.one(Gateway.class, "productapp-gateway");
        assertThat(gateway.getApiVersion()).isEqualTo("networking.istio.io/v1");
        assertThat(gateway.getSpec().getSelector()).isEqualTo(Map.of("istio", "ingressgateway"));
        assertThat(gateway.getSpec().getServers()).singleElement().satisfies(s -> {
            assertThat(s.getPort().getNumber()).isEqualTo(80L);
            assertThat(s.getHosts()).containsExactly("*");
        });
        VirtualService vs = defaults.one(VirtualService.class, "productapp");
        assertThat(vs.getApiVersion()).isEqualTo("networking.istio.io/v1");
        assertThat(vs.getSpec().getGateways()).containsExactly("productapp-gateway");
        var route = vs.getSpec().getHttp().get(0).getRoute().get(0).getDestination();
        assertThat(route.getHost()).isEqualTo("frontend");
        assertThat(route.getPort().getNumber()).isEqualTo(9000L);

        RenderedChart custom = RenderedChart.render(Map.of("gateway.selector.istio", "ingress"));
        assertThat(custom.one(Gateway.class, "productapp-gateway").getSpec().getSelector()).isEqualTo(Map.of("istio", "ingress"));
    }

    @Test
    void helmTestPodGetsTheFrontendWithoutASidecar() throws Exception {
        Pod test = RenderedChart.renderTestHooks(Map.of()).one(Pod.class, "productapp-test-frontend");
        assertThat(test.getMetadata().getAnnotations()).containsEntry("sidecar.istio.io/inject", "false");
        assertThat(test.getSpec().getContainers().get(0).getArgs())
                .contains("--fail", "http://frontend.workshop.svc.cluster.local:9000/");
        assertThat(test.getSpec().getContainers().get(0).getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(test.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(java.nio.file.Files.readString(RenderedChart.CHART.resolve("templates/tests/test-frontend.yaml")))
                .contains("helm.sh/hook: test");
    }

    @Test
    void notesPrintTheIngressUrlCommandAndNextSteps() {
        String notes = RenderedChart.dryRunInstallOutput("shop");
        assertThat(notes)
                .contains("kubectl label namespace shop istio-injection=enabled")
                .contains("export ISTIO_INGRESS_URL=$(kubectl get svc istio-ingress -n istio-ingress")
                .contains("siege http://$ISTIO_INGRESS_URL -c 5 -d 10 -t 2M")
                .contains("helm test productapp -n shop");
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of("frontend.replicas", "two", "/frontend/replicas"),
                Arguments.of("catalogdetail.v1.replicas", -1, "/catalogdetail/v1/replicas"),
                Arguments.of("bogus", "x", "bogus"),
                Arguments.of("frontend.colour", "blue", "colour"),
                Arguments.of("image.pullPolicy", "Sometimes", "/image/pullPolicy"),
                Arguments.of("podSecurityContext.runAsUser", 1337, "/podSecurityContext/runAsUser"),
                Arguments.of("frontend.baseUrl", "http://productcatalog:5000/products", "/frontend/baseUrl"),
                Arguments.of("productcatalog.aggAppUrl", "catalogdetail:3000", "/productcatalog/aggAppUrl"),
                Arguments.of("topologySpread.whenUnsatisfiable", "Maybe", "/topologySpread/whenUnsatisfiable"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badValues")
    void aBadValueFailsWithAMessageNamingIt(String key, Object value, String named) {
        assertThatThrownBy(() -> RenderedChart.render(Map.of(key, value)))
                .hasMessageContaining(named);
    }
}
