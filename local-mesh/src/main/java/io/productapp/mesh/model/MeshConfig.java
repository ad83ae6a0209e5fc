package io.productapp.mesh.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.productapp.mesh.config.Finding;
import io.productapp.mesh.config.Manifest;

/**
 * The configuration in force: the cluster's Services and Deployments and the Istio objects
 * applied over them, in apply order (a later object of the same kind and name replaced the
 * earlier one, as {@code kubectl apply} does). Immutable; a new apply builds a new one.
 */
public final class MeshConfig {

    /** The namespace of objects that name none (the walkthrough's). */
    public static final String DEFAULT_NAMESPACE = "workshop";

    private final List<Manifest> manifests;
    private final List<KubeService> services = new ArrayList<>();
    private final List<Workload> workloads = new ArrayList<>();
    private final List<VirtualService> virtualServices = new ArrayList<>();
    private final List<DestinationRule> destinationRules = new ArrayList<>();
    private final List<EnvoyFilter> envoyFilters = new ArrayList<>();
    private final List<Gateway> gateways = new ArrayList<>();
    private final List<ServiceEntry> serviceEntries = new ArrayList<>();
    private final List<Finding> warnings = new ArrayList<>();
    /** Services by every full form of their name ({@code name.ns}, {@code name.ns.svc}, FQDN), and by {@code name/ns}. */
    private final Map<String, KubeService> servicesByName = new java.util.HashMap<>();

    private MeshConfig(List<Manifest> manifests) {
        this.manifests = List.copyOf(manifests);
        ModelReader reader = new ModelReader(DEFAULT_NAMESPACE);
        for (Manifest manifest : manifests) {
            switch (manifest.kind()) {
                case "Service" -> services.add(reader.service(manifest));
                case "Deployment" -> workloads.add(reader.deployment(manifest));
                case "Pod" -> workloads.add(reader.pod(manifest));
                case "VirtualService" -> virtualServices.add(reader.virtualService(manifest));
                case "DestinationRule" -> destinationRules.add(reader.destinationRule(manifest));
                case "EnvoyFilter" -> envoyFilters.add(reader.envoyFilter(manifest));
                case "Gateway" -> gateways.add(reader.gateway(manifest));
                case "ServiceEntry" -> serviceEntries.add(reader.serviceEntry(manifest));
                default -> {
                    // ServiceAccounts, PodDisruptionBudgets, ...: nothing the traffic depends on
                }
            }
            warnings.addAll(Coverage.warnings(manifest));
        }
        envoyFilters.sort(java.util.Comparator.comparingInt(EnvoyFilter::priority));
        for (KubeService service : services) {
            String base = service.name() + "." + service.namespace();
            servicesByName.putIfAbsent(base, service);
            servicesByName.putIfAbsent(base + ".svc", service);
            servicesByName.putIfAbsent(service.fqdn(), service);
            servicesByName.putIfAbsent(service.name() + "/" + service.namespace(), service);
        }
    }

    /** {@code manifests} applied in order onto nothing. */
    public static MeshConfig of(Collection<Manifest> manifests) {
        Map<String, Manifest> byKey = new LinkedHashMap<>();
        manifests.forEach(m -> byKey.put(m.key(DEFAULT_NAMESPACE), m));
        return new MeshConfig(new ArrayList<>(byKey.values()));
    }

    /** This configuration with {@code applied} applied over it, as {@code kubectl apply -f} would. */
    public MeshConfig apply(Collection<Manifest> applied) {
        Map<String, Manifest> byKey = new LinkedHashMap<>();
        manifests.forEach(m -> byKey.put(m.key(DEFAULT_NAMESPACE), m));
        applied.forEach(m -> byKey.put(m.key(DEFAULT_NAMESPACE), m));
        return new MeshConfig(new ArrayList<>(byKey.values()));
    }

    public List<Manifest> manifests() {
        return manifests;
    }

    public List<KubeService> services() {
        return Collections.unmodifiableList(services);
    }

    public List<Workload> workloads() {
        return Collections.unmodifiableList(workloads);
    }

    public List<VirtualService> virtualServices() {
        return Collections.unmodifiableList(virtualServices);
    }

    public List<DestinationRule> destinationRules() {
        return Collections.unmodifiableList(destinationRules);
    }

    public List<EnvoyFilter> envoyFilters() {
        return Collections.unmodifiableList(envoyFilters);
    }

    public List<Gateway> gateways() {
        return Collections.unmodifiableList(gateways);
    }

    /** The ServiceEntries in force (read by the analyzers; the local mesh routes to Services only). */
    public List<ServiceEntry> serviceEntries() {
        return Collections.unmodifiableList(serviceEntries);
    }

    /** The ServiceEntry that registers a destination host seen from {@code namespace}, exact hosts before wildcards. */
    public Optional<ServiceEntry> serviceEntry(String host, String namespace, List<String> referrerExportTo) {
        String resolved = resolveHost(host, namespace);
        List<ServiceEntry> visible = serviceEntries.stream().filter(se -> se.visibleFrom(namespace, referrerExportTo)).toList();
        return visible.stream().filter(se -> se.hosts().contains(resolved)).findFirst()
                .or(() -> visible.stream().filter(se -> se.registers(resolved)).findFirst());
    }

    /** Fields the local mesh does not emulate, one warning each. */
    public List<Finding> warnings() {
        return Collections.unmodifiableList(warnings);
    }

    /**
     * The Service a host names, seen from {@code namespace}: its short name (same namespace only),
     * {@code name.ns}, {@code name.ns.svc} or {@code name.ns.svc.cluster.local}, in any case, with or
     * without a trailing dot or a port.
     */
    public Optional<KubeService> service(String host, String namespace) {
        String h = normalizeHost(host);
        KubeService service = servicesByName.get(h.indexOf('.') < 0 ? h + "/" + namespace : h);
        return Optional.ofNullable(service);
    }

    /**
     * The Service a destination host names, as Istio resolves it (ResolveShortnameToFQDN): a short
     * name is the Service of that name in {@code namespace}, any other name must be its FQDN
     * ({@code catalogdetail.workshop} names no Service, unlike in a request's Host header).
     */
    public Optional<KubeService> destinationService(String host, String namespace) {
        String fqdn = resolveHost(host, namespace);
        return Optional.ofNullable(servicesByName.get(fqdn)).filter(service -> service.fqdn().equals(fqdn));
    }

    /** A host as Envoy compares it: without port and trailing dot, in lower case. */
    public static String normalizeHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.lastIndexOf(':');
        if (colon >= 0) {
            h = h.substring(0, colon);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /**
     * A VirtualService or DestinationRule host as Istio resolves it: a short name becomes the FQDN
     * of that name in the object's namespace; an FQDN or a wildcard stays as it is.
     */
    public static String resolveHost(String host, String namespace) {
        String h = normalizeHost(host);
        if (h.equals("*") || h.startsWith("*.")) {
            return h;
        }
        if (!h.contains(".")) {
            return h + "." + namespace + ".svc.cluster.local";
        }
        return h;
    }

    /** The DestinationRule for a Service (the first applied, as Istio keeps the oldest on conflict). */
    public Optional<DestinationRule> destinationRule(KubeService service) {
        return destinationRules.stream()
                .filter(dr -> resolveHost(dr.host(), dr.origin().namespace()).equals(service.fqdn()))
                .findFirst();
    }

    public Optional<Gateway> gateway(String reference, String fromNamespace) {
        int slash = reference.indexOf('/');
        String namespace = slash < 0 ? fromNamespace : reference.substring(0, slash);
        String name = slash < 0 ? reference : reference.substring(slash + 1);
        return gateways.stream().filter(g -> g.name().equals(name) && g.origin().namespace().equals(namespace)).findFirst();
    }

    /** Workloads (pod templates) whose labels include every label of {@code selector}. */
    public List<Workload> workloadsSelectedBy(Map<String, String> selector) {
        return workloads.stream().filter(w -> w.podLabels().entrySet().containsAll(selector.entrySet())).toList();
    }
}
