package io.productapp.mesh.model;

import java.util.List;

/** Istio's exportTo scoping of registry entries (Services by annotation, ServiceEntries by field). */
final class Visibility {

    private Visibility() {
    }

    /**
     * Whether an entry of {@code ownNamespace} exported to {@code exportTo} (none: everywhere;
     * {@code .}: its own namespace) is seen by an object in {@code namespace} whose own exportTo is
     * {@code referrerExportTo} (none: its namespace), as Istio's GetDestinationHost looks it up.
     */
    static boolean visible(List<String> exportTo, String ownNamespace, String namespace, List<String> referrerExportTo) {
        List<String> scopes = exportTo.isEmpty() ? List.of("*") : exportTo.stream().map(e -> e.equals(".") ? ownNamespace : e).toList();
        if (scopes.contains("*")) {
            return true;
        }
        if (referrerExportTo.isEmpty()) {
            return scopes.contains(namespace);
        }
        return referrerExportTo.stream().map(e -> e.equals(".") ? namespace : e).anyMatch(scopes::contains);
    }
}
