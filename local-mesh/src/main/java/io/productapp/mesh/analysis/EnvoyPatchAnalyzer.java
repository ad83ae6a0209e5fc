package io.productapp.mesh.analysis;

import java.util.Set;

import io.productapp.mesh.config.Finding;
import io.productapp.mesh.model.EnvoyFilter;

/**
 * istioctl's envoyfilter.EnvoyPatchAnalyzer (istio/istio
 * pkg/config/analysis/analyzers/envoyfilter/envoyfilter.go): IST0151 for a relative patch
 * operation in an EnvoyFilter without a priority.
 */
final class EnvoyPatchAnalyzer implements MeshAnalyzer {

    /** What REPLACE is relative to: a filter or virtual host found by its position among others. */
    private static final Set<String> REPLACED_IN_A_LIST = Set.of("HTTP_FILTER", "NETWORK_FILTER", "VIRTUAL_HOST");
    /** What REMOVE is not relative for (Istio reports those as IST0154 instead). */
    private static final Set<String> REMOVED_WHOLE = Set.of("ROUTE_CONFIGURATION", "HTTP_ROUTE");

    /** Istio's relative operations: INSERT_BEFORE/AFTER always; REMOVE but of a route configuration or route; REPLACE in a list. */
    private static boolean relative(EnvoyFilter.Patch patch) {
        return switch (patch.operation()) {
            case "INSERT_BEFORE", "INSERT_AFTER" -> true;
            case "REMOVE" -> !REMOVED_WHOLE.contains(patch.applyTo());
            case "REPLACE" -> REPLACED_IN_A_LIST.contains(patch.applyTo());
            default -> false;
        };
    }

    @Override
    public void analyze(AnalysisContext context) {
        context.mesh().envoyFilters().forEach(filter -> envoyFilter(context, filter));
    }

    private static void envoyFilter(AnalysisContext context, EnvoyFilter filter) {
        if (filter.priority() != 0) {
            return;
        }
        for (EnvoyFilter.Patch patch : filter.patches()) {
            if (patch.operation().isEmpty()) {
                break; // a configPatch without patch: Istio's analyzer reads no further
            }
            if (relative(patch)) {
                context.add("IST0151", Finding.Level.WARNING, filter.origin(), "spec.configPatches[" + patch.index() + "] uses the relative operation "
                        + patch.operation() + " without spec.priority, so it may not be applied; set a priority");
            }
        }
    }
}
