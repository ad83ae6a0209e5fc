package io.productapp.mesh.admin;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.productapp.mesh.kube.Kubectl;
import io.productapp.mesh.launch.Layout.Instance;
import io.productapp.mesh.proxy.TrafficWindow;
import io.productapp.mesh.proxy.TrafficWindow.EdgeView;

/**
 * The traffic view's data, {@code productapp-traffic/1}: the graph's nodes (the ingress gateway,
 * each workload instance with its app, version and zone, and a Service wherever requests reached
 * no endpoint), its edges over the last seconds, and the configuration in force. What
 * {@code GET /traffic} answers and each server-sent event carries; local-mesh/README.md documents
 * the fields. Fields are only ever added to this schema.
 */
final class TrafficDocument {

    static final String SCHEMA = "productapp-traffic/1";
    /** The ingress gateway's node. */
    static final String INGRESS = "istio-ingressgateway";

    private TrafficDocument() {
    }

    /**
     * @param view the window at its last tick
     * @param instances the workload instances running
     * @param faulted the instances with a fault injected ({@code /injectFault})
     * @param pods the pods as kubectl shows them (ready, status, restarts)
     * @param config the configuration in force and the last apply ({@code GET /config})
     */
    static ObjectNode of(ObjectMapper json, TrafficWindow.View view, List<Instance> instances, Set<String> faulted,
            List<Kubectl.Row> pods, ObjectNode config) {
        Map<String, Kubectl.Row> rows = new LinkedHashMap<>();
        pods.forEach(row -> rows.put(row.name(), row));
        ObjectNode document = json.createObjectNode().put("schema", SCHEMA).put("sequence", view.sequence())
                .put("time", Instant.ofEpochMilli(view.epochMillis()).toString())
                .put("windowSeconds", round(view.seconds(), 3));
        Map<String, ObjectNode> nodes = new LinkedHashMap<>();
        nodes.put(INGRESS, json.createObjectNode().put("id", INGRESS).put("kind", "ingress").put("app", INGRESS));
        for (Instance instance : instances) {
            ObjectNode node = json.createObjectNode().put("id", instance.name()).put("kind", "workload")
                    .put("app", instance.labels().getOrDefault("app", instance.workload().name()))
                    .put("version", instance.labels().getOrDefault("version", ""))
                    .put("deployment", instance.workload().name()).put("zone", instance.locality().zone())
                    .put("faultInjected", faulted.contains(instance.name()));
            Kubectl.Row row = rows.get(instance.name());
            if (row != null) {
                node.put("ready", row.ready().startsWith("1")).put("status", row.status())
                        .put("restarts", row.restartCount());
            }
            ArrayNode ejectedBy = node.putArray("ejectedBy");
            view.ejected().getOrDefault(instance.name(), List.of()).forEach(ejectedBy::add);
            nodes.put(instance.name(), node);
        }
        ArrayNode edges = json.createArrayNode();
        for (EdgeView edge : view.edges()) {
            String destination = edge.key().destination();
            if (!nodes.containsKey(destination) && destination.startsWith("service:")) {
                nodes.put(destination, json.createObjectNode().put("id", destination).put("kind", "service")
                        .put("app", destination.substring("service:".length())));
            } else if (!nodes.containsKey(destination)) { // a pod gone (rolled out) whose requests are still in the window
                nodes.put(destination, json.createObjectNode().put("id", destination).put("kind", "workload").put("app", destination)
                        .put("ready", false).put("status", "Gone"));
            }
            ObjectNode item = edges.addObject().put("source", edge.key().source()).put("destination", destination)
                    .put("traffic", edge.key().traffic().json()).put("requests", edge.requests())
                    .put("perSecond", round(edge.perSecond(), 2)).put("errors", edge.errors())
                    .put("errorShare", round(edge.errorShare(), 4)).put("retries", edge.retries())
                    .put("p50Ms", round(edge.p50Millis(), 3)).put("p99Ms", round(edge.p99Millis(), 3))
                    .put("maxMs", round(edge.maxMillis(), 3));
            ObjectNode flags = item.putObject("flags");
            edge.flags().forEach(flags::put);
        }
        nodes.values().forEach(document.putArray("nodes")::add); // the Service nodes come from the edges: nodes first all the same
        document.set("edges", edges);
        document.set("config", config);
        return document;
    }

    private static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }
}
