package io.productapp.mesh.model;

import java.util.List;
import java.util.Map;

/** A Gateway: the ingress gateway pods it configures ({@code selector}) and its servers' ports and hosts. */
public record Gateway(Origin origin, Map<String, String> selector, List<Server> servers) {

    public Gateway {
        selector = Map.copyOf(selector);
        servers = List.copyOf(servers);
    }

    public String name() {
        return origin.name();
    }

    public record Server(int port, String protocol, List<String> hosts) {
        public Server {
            hosts = List.copyOf(hosts);
        }
    }
}
