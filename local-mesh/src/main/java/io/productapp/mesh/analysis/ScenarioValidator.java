package io.productapp.mesh.analysis;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.productapp.mesh.config.CrdSchemas;
import io.productapp.mesh.config.Finding;
import io.productapp.mesh.config.Manifest;
import io.productapp.mesh.config.ManifestReader;
import io.productapp.mesh.config.WebhookRules;
import io.productapp.mesh.model.MeshConfig;

/**
 * Validates one scenario folder the way the cluster and istioctl analyze would see it: the chart
 * installed, {@code setup-mesh-resources} applied (the walkthrough's first step), then the
 * scenario applied over them. Findings are reported for the scenario's own files.
 */
public final class ScenarioValidator {

    public static final String BASE_SCENARIO = "setup-mesh-resources";
    /** Installed with Istio, outside the chart: the ingress gateway pods the chart's Gateway selects. */
    public static final Map<String, String> INGRESS_GATEWAY_POD = Map.of("istio", "ingressgateway", "app", "istio-ingressgateway");
    /** Kinds of the chart, which Kubernetes itself validates. */
    private static final Set<String> CHART_KINDS = Set.of("Deployment", "Service", "ServiceAccount", "PodDisruptionBudget", "Pod");
    /** The Kubernetes objects a folder may bring that the analyzers read (Services' ports, pods' labels). */
    private static final Set<String> CLUSTER_OBJECTS = Set.of("v1 Service", "apps/v1 Deployment", "v1 Pod", "v1 ServiceAccount",
            "v1 Secret");

    private final CrdSchemas crds;
    private final List<Manifest> chart;
    private final List<Manifest> base;

    public record Report(String scenario, int manifests, List<Finding> findings) {
        public long errors() {
            return findings.stream().filter(f -> f.level() == Finding.Level.ERROR).count();
        }

        public long warnings() {
            return findings.stream().filter(f -> f.level() == Finding.Level.WARNING).count();
        }
    }

    public ScenarioValidator(CrdSchemas crds, List<Manifest> chart, List<Manifest> base) {
        this.crds = crds;
        this.chart = List.copyOf(chart);
        this.base = List.copyOf(base);
    }

    /**
     * What {@code ./demo check} reports: the scenario over the chart and the base scenario, with
     * istioctl analyze's view of the objects the webhook refuses (see {@link View#ISTIOCTL}).
     */
    public Report validate(String scenario, ManifestReader.Result read) {
        List<Manifest> before = new ArrayList<>(chart);
        if (!scenario.equals(BASE_SCENARIO)) {
            before.addAll(base);
        }
        return validate(scenario, before, read, View.ISTIOCTL);
    }

    /**
     * What {@code ./demo apply} reports before it applies: manifests over {@code inForce} (the
     * chart and what was applied before), with the cluster's view of the objects it would refuse
     * (see {@link View#CLUSTER}).
     */
    public Report validateOver(String label, List<Manifest> inForce, ManifestReader.Result read) {
        return validate(label, inForce, read, View.CLUSTER);
    }

    /**
     * Which Istio objects the analyzers read besides those the API server and the webhook accept:
     * the one difference between {@code check} and {@code apply}.
     */
    private enum View {
        /**
         * istioctl analyze's, which reads files without the webhook: an object only the webhook
         * refuses is analysed as well (its webhook errors are istioctl's IST0106). An object the
         * schema refuses stays out, as istioctl fails to decode it (unknown fields, wrong types).
         */
        ISTIOCTL,
        /** The cluster's: an object with any error stays out, as it would stay out of the cluster. */
        CLUSTER;

        /** Whether an object with this error stays out of the analysis. */
        boolean leavesOut(Finding error) {
            return this == CLUSTER || !error.code().equals("WEBHOOK");
        }
    }

    /**
     * Schemas, webhook rules, and the analyzers' findings on the manifests' own files, applied
     * over {@code inForce}; the Istio objects with an error join the analysis as {@code view}
     * says. The Kubernetes objects the analyzers read (Services, Deployments, Pods,
     * ServiceAccounts, Secrets) join it as the cluster's; other kinds are listed once each as not
     * analysed.
     */
    private Report validate(String label, List<Manifest> inForce, ManifestReader.Result read, View view) {
        Set<Finding> findings = new LinkedHashSet<>(read.findings());
        List<Manifest> analysed = new ArrayList<>();
        Map<String, List<Manifest>> notAnalysed = new TreeMap<>();
        for (Manifest manifest : read.manifests()) {
            if (manifest.apiVersion().isEmpty() || manifest.kind().isEmpty()) {
                findings.add(Finding.error("KIND", manifest, "apiVersion and kind are required (document at line " + manifest.line() + ")"));
            } else if (isClusterObject(manifest)) {
                analysed.add(manifest);
            } else if (!isIstio(manifest)) {
                notAnalysed.computeIfAbsent(manifest.apiVersion() + " " + manifest.kind(), k -> new ArrayList<>()).add(manifest);
            } else {
                List<Finding> checked = new ArrayList<>(crds.check(manifest));
                // As in the cluster, the webhook sees only objects of the schema's shape (a mapping
                // where a list belongs never reaches it).
                if (checked.stream().noneMatch(f -> f.code().equals("KIND") || f.code().equals("SCHEMA"))) {
                    checked.addAll(WebhookRules.check(manifest));
                }
                findings.addAll(checked);
                if (checked.stream().noneMatch(f -> f.level() == Finding.Level.ERROR && view.leavesOut(f))) {
                    analysed.add(manifest);
                }
            }
        }
        notAnalysed.forEach((kind, objects) -> findings.add(Finding.info("KIND", objects.get(0), kind + " not analysed ("
                + objects.size() + (objects.size() == 1 ? " object" : " objects") + " in " + label + ")")));
        MeshConfig mesh = MeshConfig.of(inForce).apply(analysed);
        Set<String> files = new LinkedHashSet<>();
        read.manifests().forEach(m -> files.add(m.file()));
        Analyzer.analyze(mesh, List.of(INGRESS_GATEWAY_POD)).stream().filter(f -> files.contains(f.file())).forEach(findings::add);
        return new Report(label, read.manifests().size(), List.copyOf(findings));
    }

    /** Whether the object is Istio configuration (a group Istio's CRDs serve). */
    public boolean isIstio(Manifest manifest) {
        return crds.isIstioGroup(manifest.group());
    }

    /** A Kubernetes object the analyzers read as the cluster's: a Service, Deployment, Pod, ServiceAccount or Secret. */
    public static boolean isClusterObject(Manifest manifest) {
        return CLUSTER_OBJECTS.contains(manifest.apiVersion() + " " + manifest.kind());
    }

    /** Findings on the chart's own objects (checked once, not per scenario). */
    public List<Finding> validateChart() {
        MeshConfig mesh = MeshConfig.of(chart);
        Set<String> files = new LinkedHashSet<>();
        chart.forEach(m -> files.add(m.file()));
        List<Finding> findings = new ArrayList<>();
        for (Manifest manifest : chart) {
            if (!CHART_KINDS.contains(manifest.kind())) {
                findings.addAll(crds.check(manifest));
                findings.addAll(WebhookRules.check(manifest));
            }
        }
        Analyzer.analyze(mesh, List.of(INGRESS_GATEWAY_POD)).stream().filter(f -> files.contains(f.file())).forEach(findings::add);
        return findings;
    }
}
