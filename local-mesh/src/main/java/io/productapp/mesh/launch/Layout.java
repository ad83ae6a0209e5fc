package io.productapp.mesh.launch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.productapp.mesh.model.KubeService;
import io.productapp.mesh.model.MeshConfig;
import io.productapp.mesh.model.Workload;
import io.productapp.mesh.route.Endpoint;
import io.productapp.mesh.route.Locality;

/**
 * Where the chart's workloads run on this machine: each Deployment becomes {@code replicas}
 * instances ({@code catalogdetail-0}, {@code catalogdetail2-0}, ...) with its pod template's labels,
 * each on its own loopback port with its own sidecar port, in a zone as topology spreading would
 * place it. The packaged application of an instance is the module its image is built from
 * ({@code productapp/catalogdetail-v1} → {@code catalogdetail-v1/target/quarkus-app}).
 */
public record Layout(List<Instance> instances, Ports ports) {

    /** The region every local zone belongs to, as on the walkthrough's EKS cluster. */
    public static final String REGION = "us-west-2";
    public static final List<String> ZONES = List.of("us-west-2a", "us-west-2b", "us-west-2c");
    /** The environment the chart sets for the JVM in a container; on this machine, service-jvm.options applies instead. */
    private static final Set<String> CONTAINER_ONLY_ENV = Set.of("JAVA_TOOL_OPTIONS");

    public Layout {
        instances = List.copyOf(instances);
    }

    /**
     * The loopback ports: the ingress gateway's, the admin API's, the first sidecar's (one more for
     * each next instance), and the offset added to the services' own ports.
     */
    public record Ports(int ingress, int admin, int firstSidecar, int offset) {
        public static final Ports DEFAULT = new Ports(8080, 15000, 15001, 0);

        public Ports withOffset(int more) {
            return new Ports(ingress + more, admin + more, firstSidecar + more, offset + more);
        }
    }

    /**
     * One running copy of a Deployment's pod.
     *
     * @param name {@code <deployment>-<index>}, as the access logs and counters name it
     * @param workload the Deployment
     * @param locality {@code us-west-2/us-west-2a}
     * @param port the loopback port the service listens on
     * @param sidecarPort the loopback port of its outbound sidecar
     * @param app its packaged application ({@code quarkus-run.jar})
     * @param env its environment: the chart's, and the sidecar's proxy and the instance's zone and name
     */
    public record Instance(String name, Workload workload, Locality locality, int port, int sidecarPort, Path app,
            Map<String, String> env) {

        public Instance {
            env = Map.copyOf(env);
        }

        public Map<String, String> labels() {
            return workload.podLabels();
        }

        public Endpoint endpoint() {
            return new Endpoint(name, "127.0.0.1", port, labels(), locality);
        }

        /** The same instance with {@code changes} in its environment (as {@code kubectl set env} on its Deployment). */
        public Instance withEnv(Map<String, String> changes) {
            Map<String, String> changed = new LinkedHashMap<>(env);
            changed.putAll(changes);
            return new Instance(name, workload, locality, port, sidecarPort, app, changed);
        }
    }

    /** The layout of {@code chart}'s Deployments, their applications under {@code root}. */
    public static Layout of(MeshConfig chart, Path root, Ports ports) {
        List<Workload> workloads = chart.workloads();
        Map<String, Integer> zones = zones(chart);
        List<Instance> instances = new ArrayList<>();
        Set<Integer> used = new HashSet<>();
        int sidecar = ports.firstSidecar();
        for (Workload workload : workloads) {
            int containerPort = workload.containerPorts().values().stream().findFirst().orElse(8080);
            for (int i = 0; i < workload.replicas(); i++) {
                String name = workload.name() + "-" + i;
                int port = containerPort + ports.offset();
                while (!used.add(port)) {
                    port++;
                }
                Locality locality = new Locality(REGION, ZONES.get(zones.getOrDefault(name, 0) % ZONES.size()), "");
                Map<String, String> env = new LinkedHashMap<>();
                for (Workload.EnvVar variable : workload.env()) {
                    if (!CONTAINER_ONLY_ENV.contains(variable.name())) {
                        env.put(variable.name(), variable.value());
                    }
                }
                // The sidecar: Quarkus' default proxy, which the REST clients use, as a mesh gives each pod its own.
                env.put("QUARKUS_PROXY_HOST", "127.0.0.1");
                env.put("QUARKUS_PROXY_PORT", String.valueOf(sidecar));
                // What a pod learns from its node and the downward API on a cluster.
                env.put("CATALOGDETAIL_ZONE", locality.zone());
                env.put("CATALOGDETAIL_INSTANCE", name);
                instances.add(new Instance(name, workload, locality, port, sidecar, app(root, workload), env));
                sidecar++;
            }
        }
        return new Layout(instances, ports);
    }

    /**
     * Zones as topology spreading places pods: the pods behind each Service (in the chart's order)
     * spread over the zones in turn, so the two catalogdetail versions land in different zones;
     * a pod behind no Service starts in the first zone.
     */
    private static Map<String, Integer> zones(MeshConfig chart) {
        Map<String, Integer> zones = new LinkedHashMap<>();
        for (KubeService service : chart.services()) {
            int next = 0;
            for (Workload workload : chart.workloads()) {
                if (!service.selects(workload.podLabels())) {
                    continue;
                }
                for (int i = 0; i < workload.replicas(); i++) {
                    if (zones.putIfAbsent(workload.name() + "-" + i, next) == null) {
                        next++;
                    }
                }
            }
        }
        return zones;
    }

    /** {@code productapp/catalogdetail-v1:1.0.0} → {@code <root>/catalogdetail-v1/target/quarkus-app/quarkus-run.jar}. */
    static Path app(Path root, Workload workload) {
        String image = workload.image() == null ? workload.name() : workload.image();
        int colon = image.lastIndexOf(':');
        if (colon > image.lastIndexOf('/')) {
            image = image.substring(0, colon);
        }
        String module = image.substring(image.lastIndexOf('/') + 1);
        return Topology.app(root, module);
    }

    public Instance instance(String name) {
        return instances.stream().filter(i -> i.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no instance " + name + " (instances: "
                        + instances.stream().map(Instance::name).toList() + ")"));
    }
}
