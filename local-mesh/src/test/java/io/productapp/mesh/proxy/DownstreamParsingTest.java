package io.productapp.mesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** What a proxy takes as a request's authority and target, before any route is looked at. */
class DownstreamParsingTest {

    @Test
    void anAuthorityIsAHostNameOrBracketedIpv6WithAnOptionalPortUpTo65535() {
        Map<String, Boolean> cases = Map.ofEntries(
                Map.entry("catalogdetail", true),
                Map.entry("catalogdetail.workshop.svc.cluster.local:3000", true),
                Map.entry("my_host-1:0", true),
                Map.entry("h:65535", true),
                Map.entry("[::1]", true),
                Map.entry("[::1]:8080", true),
                Map.entry("[fe80::1%25eth0]", false),
                Map.entry("h:65536", false),
                Map.entry("h:123456", false),
                Map.entry("h:", false),
                Map.entry(":80", false),
                Map.entry("h:3000:1", false),
                Map.entry("h:+80", false),
                Map.entry("h: 80", false),
                Map.entry("user@h", false),
                Map.entry("[]", false),
                Map.entry("[::1", false),
                Map.entry("[::1]80", false),
                Map.entry("", false));
        cases.forEach((authority, valid) -> assertThat(Downstream.isAuthority(authority)).as("'%s'", authority).isEqualTo(valid));
    }

    @Test
    void aTargetIsVisibleAsciiOnly() {
        Map<String, Boolean> cases = Map.of("/catalogDetail?x=1", true, "http://frontend:9000/", true, "/a b", false, "/a\tb", false,
                "/caf\u00e9", false, "/\u007f", false);
        cases.forEach((target, valid) -> assertThat(Downstream.isTarget(target)).as("'%s'", target).isEqualTo(valid));
    }
}
