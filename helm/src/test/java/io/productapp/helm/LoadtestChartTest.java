package io.productapp.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.productapp.loadtest.LoadPlan;
import io.productapp.loadtest.cli.LoadTestCommand;

class LoadtestChartTest {

    private static final Path CHART = RenderedChart.LOADTEST_CHART;
    private static final String RELEASE = "load";
    private static final String TARGET = "http://frontend.workshop.svc.cluster.local:9000/";
    private static final String START = "2026-12-02T15:04:05Z";

    private static Instant beforeDefaults;
    private static Instant afterDefaults;
    private static RenderedChart defaults;

    @BeforeAll
    static void renderDefaults() {
        beforeDefaults = Instant.now();
        defaults = render(Map.of("target", TARGET));
        afterDefaults = Instant.now();
    }

    private static RenderedChart render(Map<String, Object> values) {
        return RenderedChart.render(CHART, RELEASE, RenderedChart.NAMESPACE, values);
    }

    private static Map<String, Object> withTarget(Map<String, Object> values) {
        Map<String, Object> all = new HashMap<>(values);
        all.putIfAbsent("target", TARGET);
        return all;
    }

    private static Job job(RenderedChart chart) {
        return chart.one(Job.class, RELEASE);
    }

    private static PodSpec pod(Job job) {
        return job.getSpec().getTemplate().getSpec();
    }

    private static Container container(Job job) {
        return pod(job).getContainers().get(0);
    }

    private static String argAfter(Job job, String flag) {
        List<String> args = container(job).getArgs();
        return args.get(args.indexOf(flag) + 1);
    }

    private static JsonNode chartYaml(Path chart) throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(chart.resolve("Chart.yaml").toFile());
    }

    @Test
    void strictLintPasses() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void chartHasProductappsKubeVersionAndAppVersion() throws Exception {
        JsonNode loadtest = chartYaml(CHART);
        JsonNode productapp = chartYaml(RenderedChart.CHART);
        assertThat(loadtest.get("apiVersion").asText()).isEqualTo("v2");
        assertThat(loadtest.get("type").asText()).isEqualTo("application");
        assertThat(loadtest.get("kubeVersion")).isEqualTo(productapp.get("kubeVersion"));
        assertThat(loadtest.get("appVersion")).isEqualTo(productapp.get("appVersion"));
    }

    @Test
    void rendersOneIndexedJobOfOnePodPerWorkerNamedAfterTheRelease() {
        assertThat(defaults.objects).singleElement().isInstanceOf(Job.class);
        Job job = job(defaults);
        assertThat(job.getMetadata().getNamespace()).isEqualTo("workshop");
        assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
        assertThat(job.getSpec().getCompletions()).isEqualTo(2);
        assertThat(job.getSpec().getParallelism()).isEqualTo(2);
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isNull();
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isNull();
        assertThat(job.getSpec().getSelector()).as("left to Kubernetes, which adds job-name").isNull();
        assertThat(pod(job).getRestartPolicy()).isEqualTo("Never");
        assertThat(job.getMetadata().getLabels()).containsEntry("app.kubernetes.io/instance", RELEASE)
                .containsEntry("app.kubernetes.io/name", "loadtest")
                .containsKeys("helm.sh/chart", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by", "app.kubernetes.io/version");
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("app.kubernetes.io/instance", RELEASE)
                .containsEntry("app.kubernetes.io/name", "loadtest").containsEntry("app.kubernetes.io/part-of", "productapp");
    }

    @Test
    void podsHaveNoIstioSidecarUnlessTheAnnotationIsRemoved() {
        assertThat(job(defaults).getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("sidecar.istio.io/inject", "false");
        // For STRICT mTLS: --set podAnnotations=null (an empty map would be merged with the default).
        Job withSidecar = job(render(withTarget(Map.of("podAnnotations", "null"))));
        assertThat(withSidecar.getSpec().getTemplate().getMetadata().getAnnotations()).isNullOrEmpty();
    }

    @Test
    void podsAreHardenedByDefault() {
        Job job = job(defaults);
        PodSpec pod = pod(job);
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(185L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        var security = container(job).getSecurityContext();
        assertThat(security.getAllowPrivilegeEscalation()).isFalse();
        assertThat(security.getReadOnlyRootFilesystem()).isTrue();
        assertThat(security.getRunAsNonRoot()).isTrue();
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container(job).getVolumeMounts()).singleElement().satisfies(m -> {
            assertThat(m.getMountPath()).isEqualTo("/tmp");
            assertThat(pod.getVolumes()).singleElement().satisfies(v -> {
                assertThat(v.getName()).isEqualTo(m.getName());
                assertThat(v.getEmptyDir()).isNotNull();
            });
        });
    }

    @Test
    void eachWorkerHasAWholeCpuAndItsMemoryLimit() {
        var resources = container(job(defaults)).getResources();
        assertThat(resources.getRequests()).containsEntry("cpu", new Quantity("1")).containsEntry("memory", new Quantity("512Mi"));
        assertThat(resources.getLimits()).containsOnlyKeys("memory").containsEntry("memory", new Quantity("512Mi"));
    }

    @Test
    void imageIsTheLoadGeneratorsAtTheAppVersion() throws Exception {
        String appVersion = chartYaml(CHART).get("appVersion").asText();
        assertThat(container(job(defaults)).getImage()).isEqualTo("productapp/loadtest:" + appVersion);
        assertThat(container(job(defaults)).getImagePullPolicy()).isEqualTo("IfNotPresent");
    }

    @Test
    void workersSpreadAcrossZonesSelectingOnlyTheJobsPods() {
        Job job = job(defaults);
        assertThat(pod(job).getTopologySpreadConstraints()).singleElement().satisfies(c -> {
            assertThat(c.getTopologyKey()).isEqualTo("topology.kubernetes.io/zone");
            assertThat(c.getMaxSkew()).isEqualTo(1);
            assertThat(c.getWhenUnsatisfiable()).isEqualTo("ScheduleAnyway");
            assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(c.getLabelSelector().getMatchLabels());
            assertThat(c.getLabelSelector().getMatchLabels()).containsEntry("app.kubernetes.io/instance", RELEASE);
        });
        RenderedChart off = render(Map.of("target", TARGET, "topologySpread.enabled", false));
        assertThat(pod(job(off)).getTopologySpreadConstraints()).isNullOrEmpty();
    }

    @Test
    void workerIndexComesFromTheCompletionIndexDeclaredThroughTheDownwardApi() {
        Job job = job(defaults);
        assertThat(argAfter(job, "--worker")).isEqualTo("$(JOB_COMPLETION_INDEX)/2");
        assertThat(container(job).getEnv()).singleElement().satisfies(e -> {
            assertThat(e.getName()).isEqualTo("JOB_COMPLETION_INDEX");
            assertThat(e.getValueFrom().getFieldRef().getFieldPath())
                    .isEqualTo("metadata.annotations['batch.kubernetes.io/job-completion-index']");
        });
    }

    @Test
    void byDefaultWorkersStartStartDelaySecondsAfterTheRender() {
        String startAt = argAfter(job(defaults), "--start-at");
        assertThat(startAt).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(Instant.parse(startAt)).isBetween(beforeDefaults.plusSeconds(30 - 5), afterDefaults.plusSeconds(30 + 5));

        Instant before = Instant.now();
        RenderedChart later = render(Map.of("target", TARGET, "startDelaySeconds", 600));
        assertThat(Instant.parse(argAfter(job(later), "--start-at"))).isBetween(before.plusSeconds(600 - 5), Instant.now().plusSeconds(600 + 5));
    }

    @Test
    void anExplicitStartAtPassesThrough() {
        assertThat(argAfter(job(render(Map.of("target", TARGET, "startAt", START))), "--start-at")).isEqualTo(START);
        assertThat(argAfter(job(render(Map.of("target", TARGET, "startAt", "2026-12-02T15:04:05.250Z"))), "--start-at"))
                .isEqualTo("2026-12-02T15:04:05.250Z");
    }

    /** The arguments every worker gets before those of the model, for `workers` workers starting at START. */
    private static List<String> args(int workers, String... rest) {
        List<String> args = new ArrayList<>(List.of(TARGET, "-q", "--json", "-", "--worker", "$(JOB_COMPLETION_INDEX)/" + workers,
                "--start-at", START));
        args.addAll(List.of(rest));
        return args;
    }

    static Stream<Arguments> argsByValues() {
        String split = "header:x-catalogdetail-version";
        return Stream.of(
                Arguments.of("closed model by default", Map.of(),
                        args(2, "-c", "10", "-d", "1", "-t", "60s", "--split-by", split, "--timeout", "30s")),
                Arguments.of("closed model: users, delay, duration, workers",
                        Map.of("workers", 3, "users", 30, "delay", 0.5, "duration", "2M"),
                        args(3, "-c", "30", "-d", "0.5", "-t", "2M", "--split-by", split, "--timeout", "30s")),
                Arguments.of("closed model without delay", Map.of("delay", 0, "users", 1000000, "workers", 4),
                        args(4, "-c", "1000000", "-d", "0", "-t", "60s", "--split-by", split, "--timeout", "30s")),
                Arguments.of("open model: rate for duration", Map.of("rate", 300, "duration", "2m"),
                        args(2, "--rate", "300/s", "--duration", "2m", "--split-by", split, "--timeout", "30s", "--max-connections", "256")),
                Arguments.of("open model: a rate below 1/s", Map.of("rate", 0.5),
                        args(2, "--rate", "0.5/s", "--duration", "60s", "--split-by", split, "--timeout", "30s", "--max-connections", "256")),
                Arguments.of("open model: a million per second, without exponent", Map.of("rate", 1.0e6, "maxConnections", 2000),
                        args(2, "--rate", "1000000/s", "--duration", "60s", "--split-by", split, "--timeout", "30s", "--max-connections", "2000")),
                Arguments.of("open model: ramps alone, without duration", Map.of("ramp", List.of("0-300/s:30s", "300-600:1M")),
                        args(2, "--ramp", "0-300/s:30s", "--ramp", "300-600:1M", "--split-by", split, "--timeout", "30s",
                                "--max-connections", "256")),
                Arguments.of("open model: ramps, then the rate", Map.of("ramp", List.of("0-500/s:30s"), "rate", 500, "duration", "30s"),
                        args(2, "--ramp", "0-500/s:30s", "--rate", "500/s", "--duration", "30s", "--split-by", split, "--timeout", "30s",
                                "--max-connections", "256")),
                Arguments.of("headers in the order of their names", Map.of("headers", Map.of("x-b", "2", "Accept", "text/html", "X-A", "1")),
                        args(2, "-c", "10", "-d", "1", "-t", "60s", "--split-by", split, "-H", "Accept: text/html", "-H", "X-A: 1",
                                "-H", "x-b: 2", "--timeout", "30s")),
                Arguments.of("warm-up, timeout and split rule", Map.of("warmup", "10s", "timeout", "5s", "splitBy", "json:/details/version"),
                        args(2, "-c", "10", "-d", "1", "-t", "60s", "--split-by", "json:/details/version", "--timeout", "5s",
                                "--warmup", "10s")),
                Arguments.of("extra arguments appended", Map.of("rate", 100, "extraArgs", List.of("--window", "5s")),
                        args(2, "--rate", "100/s", "--duration", "60s", "--split-by", split, "--timeout", "30s", "--max-connections", "256",
                                "--window", "5s")),
                Arguments.of("$ doubled, so that Kubernetes passes it as written", Map.of("splitBy", "regex:version (v\\d+)$"),
                        args(2, "-c", "10", "-d", "1", "-t", "60s", "--split-by", "regex:version (v\\d+)$$", "--timeout", "30s")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("argsByValues")
    void valuesBecomeTheLoadGeneratorsArguments(String description, Map<String, Object> values, List<String> expected) throws Exception {
        Map<String, Object> all = withTarget(values);
        all.put("startAt", START);
        RenderedChart chart = RenderedChart.renderValuesFile(CHART, RELEASE, RenderedChart.NAMESPACE, all);
        assertThat(container(job(chart)).getArgs()).containsExactlyElementsOf(expected);
        // ...which the load generator takes: each pod's, as Kubernetes expands them, is worker K of N
        // from the common instant, and the closed model's users are shared out exactly.
        int workers = job(chart).getSpec().getCompletions();
        int users = 0;
        for (int k = 0; k < workers; k++) {
            String[] podArgs = expandAsKubernetes(container(job(chart)).getArgs(), k);
            LoadPlan plan = LoadTestCommand.planOf(podArgs);
            assertThat(plan.worker()).isEqualTo(new LoadPlan.Worker(k, workers));
            assertThat(plan.startAt()).isEqualTo(Instant.parse(START));
            if (plan.model() instanceof LoadPlan.Closed) {
                users += plan.users();
            }
            assertThat(plan.split().describe()).isEqualTo(values.getOrDefault("splitBy", "header:x-catalogdetail-version"));
        }
        if (container(job(chart)).getArgs().contains("-c")) {
            assertThat(users).isEqualTo(Integer.parseInt(argAfter(job(chart), "-c")));
        }
    }

    /** What a container receives: $(JOB_COMPLETION_INDEX) replaced by the pod's index, $$ by $ (Kubernetes' expansion). */
    private static String[] expandAsKubernetes(List<String> args, int index) {
        return args.stream().map(arg -> {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < arg.length(); i++) {
                if (arg.startsWith("$$", i)) {
                    out.append('$');
                    i++;
                } else if (arg.startsWith("$(JOB_COMPLETION_INDEX)", i)) {
                    out.append(index);
                    i += "$(JOB_COMPLETION_INDEX)".length() - 1;
                } else {
                    out.append(arg.charAt(i));
                }
            }
            return out.toString();
        }).toArray(String[]::new);
    }

    @Test
    void decimalsGivenWithSetAsTextArePassedAsNumbers() {
        // helm --set rate=0.5 gives the text "0.5" (only integers are typed).
        Job open = job(render(withTarget(Map.of("rate", "0.5"))));
        assertThat(argAfter(open, "--rate")).isEqualTo("0.5/s");
        Job closed = job(render(withTarget(Map.of("delay", "0.25"))));
        assertThat(argAfter(closed, "-d")).isEqualTo("0.25");
    }

    @Test
    void overridesReachTheJob() {
        Job job = job(render(withTarget(Map.of(
                "workers", 5,
                "backoffLimit", 1,
                "ttlSecondsAfterFinished", 3600,
                "activeDeadlineSeconds", 900,
                "image.registry", "123456789012.dkr.ecr.us-west-2.amazonaws.com",
                "image.tag", "2.0.0",
                "image.pullSecrets[0].name", "ecr-pull",
                "nodeSelector.workload", "load",
                "tolerations[0].key", "load",
                "tolerations[0].operator", "Exists"))));
        assertThat(job.getSpec().getCompletions()).isEqualTo(5);
        assertThat(job.getSpec().getParallelism()).isEqualTo(5);
        assertThat(job.getSpec().getBackoffLimit()).isEqualTo(1);
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(3600);
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(900L);
        assertThat(container(job).getImage()).isEqualTo("123456789012.dkr.ecr.us-west-2.amazonaws.com/productapp/loadtest:2.0.0");
        assertThat(pod(job).getImagePullSecrets()).singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo("ecr-pull"));
        assertThat(pod(job).getNodeSelector()).isEqualTo(Map.of("workload", "load"));
        assertThat(pod(job).getTolerations()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("load"));
        assertThat(argAfter(job, "--worker")).isEqualTo("$(JOB_COMPLETION_INDEX)/5");

        Job deletedAtOnce = job(render(withTarget(Map.of("ttlSecondsAfterFinished", 0))));
        assertThat(deletedAtOnce.getSpec().getTtlSecondsAfterFinished()).isZero();
    }

    @Test
    void notesPrintTheStartTheModelAndTheCommandsToCollectAndMergeTheReports() {
        String notes = RenderedChart.dryRunInstallOutput(CHART, RELEASE, "shop",
                Map.of("target", TARGET, "workers", 3, "rate", 300, "duration", "2m", "startAt", START));
        assertThat(notes)
                .contains("Job load in namespace shop, 3 workers against " + TARGET)
                .contains(START)
                .contains("open model: 300 requests/s for 2m")
                .contains("job-name=load")
                .contains("kubectl wait --for=condition=complete job/load -n shop --timeout=")
                .contains("kubectl logs -l job-name=load -n shop --max-log-requests=3 --tail=-1 > results.jsonl")
                .contains("./loadtest merge results.jsonl --expect v1=90,v2=10");
    }

    @Test
    void notesWaitAsLongAsTheRunItsLastTimeoutAndAMinute() {
        // A start in the past: nothing to wait for before it.
        String notes = RenderedChart.dryRunInstallOutput(CHART, RELEASE, "shop", Map.of("target", TARGET,
                "ramp[0]", "0-100/s:30s", "rate", 100, "duration", "2m", "warmup", "500ms", "startAt", "2020-01-01T00:00:00Z"));
        // 0.5 s warm-up + 30 s ramp + 120 s rate + 30 s timeout + 60 s, rounded up
        assertThat(notes).contains("kubectl wait --for=condition=complete job/load -n shop --timeout=241s")
                .contains("open model: ramp 0-100/s:30s, then 100 requests/s for 2m");
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of("target missing", Map.of(), "target"),
                Arguments.of("target ftp://x", Map.of("target", "ftp://x"), "/target"),
                Arguments.of("workers 0", Map.of("workers", 0), "/workers"),
                Arguments.of("users 0", Map.of("users", 0), "/users"),
                Arguments.of("users fewer than workers", Map.of("users", 2, "workers", 3), "users (2) must be at least workers (3)"),
                Arguments.of("rate -1", Map.of("rate", -1), "/rate"),
                Arguments.of("delay -1", Map.of("delay", -1), "/delay"),
                Arguments.of("ramp fast", Map.of("ramp[0]", "fast"), "/ramp/0"),
                Arguments.of("duration 10", Map.of("duration", "10"), "/duration"),
                Arguments.of("warmup soon", Map.of("warmup", "soon"), "/warmup"),
                Arguments.of("splitBy body", Map.of("splitBy", "body"), "/splitBy"),
                Arguments.of("duration 0s, which the load generator refuses", Map.of("duration", "0s"), "/duration"),
                Arguments.of("timeout 0s", Map.of("timeout", "0s"), "/timeout"),
                Arguments.of("a ramp of no time", Map.of("ramp[0]", "0-300/s:0s"), "/ramp/0"),
                Arguments.of("a regex split without a group", Map.of("splitBy", "regex:v[0-9]+"), "/splitBy"),
                Arguments.of("startAt tomorrow", Map.of("startAt", "tomorrow"), "/startAt"),
                Arguments.of("startAt not UTC", Map.of("startAt", "2026-12-02T15:04:05+01:00"), "/startAt"),
                Arguments.of("unknown key", Map.of("bogus", "x"), "bogus"),
                Arguments.of("runAsUser 1337", Map.of("podSecurityContext.runAsUser", 1337), "/podSecurityContext/runAsUser"),
                Arguments.of("runAsNonRoot false", Map.of("podSecurityContext.runAsNonRoot", false), "/podSecurityContext/runAsNonRoot"),
                Arguments.of("pullPolicy Sometimes", Map.of("image.pullPolicy", "Sometimes"), "/image/pullPolicy"),
                Arguments.of("backoffLimit -1", Map.of("backoffLimit", -1), "/backoffLimit"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void aBadValueIsRefusedWithAMessageNamingIt(String description, Map<String, Object> values, String named) {
        Map<String, Object> all = new HashMap<>(values);
        if (!description.startsWith("target")) {
            all.put("target", TARGET);
        }
        assertThatThrownBy(() -> render(all)).hasMessageContaining(named);
    }
}
