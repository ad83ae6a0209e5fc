package io.productapp.mesh.config;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/** Istio's webhook rules for a Gateway (istio/istio pkg/config/validation, ValidateGateway). */
final class GatewayWebhook {

    private static final Pattern WILDCARD_DOMAIN = Pattern.compile("\\*|(\\*\\.)?[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*");
    /** Protocols Istio parses (protocol.Parse), upper-cased; TLS ones and HTTP ones among them. */
    private static final Set<String> PROTOCOLS = Set.of("HTTP", "HTTP2", "HTTPS", "HTTP_PROXY", "GRPC", "GRPC-WEB", "TCP", "TLS", "UDP",
            "MONGO", "REDIS", "MYSQL");
    private static final Set<String> TLS_PROTOCOLS = Set.of("HTTPS", "TLS");
    private static final Set<String> HTTP_PROTOCOLS = Set.of("HTTP", "HTTP2", "HTTP_PROXY", "GRPC", "GRPC-WEB");

    private GatewayWebhook() {
    }

    /** Istio's ValidateGateway: a DNS-label name, servers with hosts in ns/host form, valid ports, TLS where the protocol needs it. */
    static void check(Manifest gw, List<Finding> findings) {
        if (!WebhookFields.isDns1123Label(gw.name())) {
            findings.add(Finding.error("WEBHOOK", gw, "metadata.name: invalid gateway name: \"" + gw.name() + "\" (a DNS-1123 label, no dots)"));
        }
        JsonNode servers = gw.spec().path("servers");
        if (servers.size() == 0) {
            findings.add(Finding.error("WEBHOOK", gw, "spec.servers: gateway must have at least one server"));
        }
        Set<String> portNames = new HashSet<>();
        for (int i = 0; i < servers.size(); i++) {
            String at = "spec.servers[" + i + "]";
            JsonNode server = servers.get(i);
            JsonNode hosts = server.path("hosts");
            if (hosts.size() == 0) {
                findings.add(Finding.error("WEBHOOK", gw, at + ".hosts: server config must contain at least one host"));
            }
            for (JsonNode host : hosts) {
                String problem = namespaceSlashHost(host.asText());
                if (problem != null) {
                    findings.add(Finding.error("WEBHOOK", gw, at + ".hosts: " + problem));
                }
            }
            JsonNode port = server.path("port");
            String protocol = port.path("protocol").asText("").toUpperCase(java.util.Locale.ROOT);
            if (!PROTOCOLS.contains(protocol)) {
                findings.add(Finding.error("WEBHOOK", gw, at + ".port.protocol: invalid protocol \"" + port.path("protocol").asText("")
                        + "\", supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP"));
            }
            long number = port.path("number").asLong(0);
            if (number < 1 || number > 65535) {
                findings.add(Finding.error("WEBHOOK", gw, at + ".port.number: port number " + number + " must be in the range 1..65535"));
            }
            if (port.path("targetPort").asLong(0) > 0) {
                findings.add(Finding.error("WEBHOOK", gw, at + ".port.targetPort: targetPort has no impact on Gateways"));
            }
            if (!portNames.add(port.path("name").asText(""))) {
                findings.add(Finding.error("WEBHOOK", gw, at + ".port.name: port names in servers must be unique: duplicate name "
                        + port.path("name").asText("")));
            }
            JsonNode tls = server.path("tls");
            if (TLS_PROTOCOLS.contains(protocol) && tls.isMissingNode()) {
                findings.add(Finding.error("WEBHOOK", gw, at + ": server must have TLS settings for HTTPS/TLS protocols"));
            } else if (PROTOCOLS.contains(protocol) && !TLS_PROTOCOLS.contains(protocol) && !tls.isMissingNode()) {
                boolean redirectOnly = tls.size() == 1 && tls.has("httpsRedirect");
                if (!HTTP_PROTOCOLS.contains(protocol)) {
                    findings.add(Finding.error("WEBHOOK", gw, at + ".tls: server cannot have TLS settings for non HTTPS/TLS ports"));
                } else if (!redirectOnly) {
                    findings.add(Finding.error("WEBHOOK", gw, at + ".tls: server cannot have TLS settings for plain text HTTP ports"));
                }
            }
            if (!HTTP_PROTOCOLS.contains(protocol) && tls.path("httpsRedirect").asBoolean(false)) {
                findings.add(Finding.warning("WEBHOOK", gw, at + ".tls.httpsRedirect: tls.httpsRedirect should only be used with http servers"));
            }
        }
    }

    /** A server host: {@code [namespace/]host}, the namespace {@code *}, {@code .} or a DNS label, the host a (wildcard) domain. */
    private static String namespaceSlashHost(String text) {
        int slash = text.indexOf('/');
        String namespace = slash < 0 ? null : text.substring(0, slash);
        String host = text.substring(slash + 1);
        if (namespace != null && !namespace.equals("*") && !namespace.equals(".") && !WebhookFields.isDns1123Label(namespace)) {
            return "host " + text + ": the namespace must be *, . or a DNS-1123 label";
        }
        if (host.contains("/") || !WILDCARD_DOMAIN.matcher(host).matches()) {
            return "host " + text + ": '" + host + "' is not a domain name, a wildcard domain (*.example.com) or *";
        }
        return null;
    }
}
