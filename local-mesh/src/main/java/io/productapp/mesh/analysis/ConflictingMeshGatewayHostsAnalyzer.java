package io.productapp.mesh.analysis;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import io.productapp.mesh.config.Finding;
import io.productapp.mesh.config.HostNames;
import io.productapp.mesh.model.MeshConfig;
import io.productapp.mesh.model.VirtualService;

/**
 * istioctl's virtualservice.ConflictingMeshGatewayHostsAnalyzer (istio/istio
 * pkg/config/analysis/analyzers/virtualservice/conflictingmeshgatewayhosts.go): IST0109 for
 * VirtualServices bound to the mesh that define the same host.
 */
final class ConflictingMeshGatewayHostsAnalyzer implements MeshAnalyzer {

    /**
     * IST0109 as Istio keys it: each host of a VirtualService bound to the mesh as its FQDN (a
     * short name in the VirtualService's namespace) in each namespace it is exported to ({@code *}
     * when it names none); two or more VirtualServices under one key conflict, and a key exported
     * to some namespaces also takes those exported everywhere whose host matches it. Each
     * VirtualService is reported once.
     */
    @Override
    public void analyze(AnalysisContext context) {
        Map<String, List<VirtualService>> byKey = new TreeMap<>();
        for (VirtualService vs : context.mesh().virtualServices()) {
            if (!vs.gateways().contains(VirtualService.MESH)) {
                continue;
            }
            String namespace = vs.origin().namespace();
            List<String> scopes = vs.exportTo().isEmpty() || vs.exportTo().contains("*") ? List.of("*")
                    : vs.exportTo().stream().map(e -> e.equals(".") ? namespace : e).distinct().toList();
            for (String host : vs.hosts()) {
                for (String scope : scopes) {
                    List<VirtualService> group = byKey.computeIfAbsent(scope + "/" + MeshConfig.resolveHost(host, namespace), k -> new ArrayList<>());
                    if (!group.contains(vs)) {
                        group.add(vs);
                    }
                }
            }
        }
        Set<VirtualService> reported = new HashSet<>();
        byKey.forEach((key, group) -> {
            List<VirtualService> conflicting = new ArrayList<>(group);
            if (!key.startsWith("*/")) {
                String host = key.substring(key.indexOf('/') + 1);
                byKey.forEach((other, everywhere) -> {
                    if (other.startsWith("*/") && HostNames.match(other.substring(2), host)) {
                        everywhere.stream().filter(vs -> !conflicting.contains(vs)).forEach(conflicting::add);
                    }
                });
            }
            if (conflicting.size() > 1) {
                String names = conflicting.stream().map(vs -> vs.origin().namespace() + "/" + vs.name()).sorted().collect(Collectors.joining(","));
                for (VirtualService vs : conflicting) {
                    if (reported.add(vs)) {
                        context.add("IST0109", Finding.Level.ERROR, vs.origin(), "VirtualServices " + names + " bound to the mesh all define host "
                                + key + "; merge them into one");
                    }
                }
            }
        });
    }
}
