package io.productapp.mesh.model;

import java.util.List;

/**
 * A ServiceEntry, as the analyzers read it: the hosts it adds to the mesh's registry, their
 * ports, and the namespaces it is exported to (none: every one). The local mesh does not route
 * to them; its analyzers count them as destinations, as Istio's do.
 */
public record ServiceEntry(Origin origin, List<String> hosts, List<Integer> ports, List<String> exportTo) {

    public ServiceEntry {
        hosts = List.copyOf(hosts);
        ports = List.copyOf(ports);
        exportTo = List.copyOf(exportTo);
    }

    /** Whether it registers {@code host}: one of its hosts, or under one of its wildcard hosts ({@code *.example.com}). */
    public boolean registers(String host) {
        return hosts.stream().anyMatch(h -> h.equals(host) || (h.startsWith("*") && host.endsWith(h.substring(1))));
    }

    /** Whether an object in {@code namespace} with these {@code exportTo} entries sees it (as a Service's visibility). */
    public boolean visibleFrom(String namespace, List<String> referrerExportTo) {
        return Visibility.visible(exportTo, origin.namespace(), namespace, referrerExportTo);
    }
}
