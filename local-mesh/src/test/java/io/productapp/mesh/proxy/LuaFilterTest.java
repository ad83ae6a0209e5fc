package io.productapp.mesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.luaj.vm2.LuaError;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.vertx.core.MultiMap;

/** The EnvoyFilter's Lua, run as Envoy runs it on productcatalog's outbound calls. */
class LuaFilterTest {

    static final Path ROOT = Path.of(System.getProperty("productapp.root", "..")).toAbsolutePath().normalize();
    static final int CALLS = 10_000;

    /** The script of istio/header-based-routing, as shipped. */
    static String shippedScript() throws Exception {
        JsonNode filter = new ObjectMapper(new YAMLFactory()).readTree(
                Files.readString(ROOT.resolve("istio/header-based-routing/envoy-filter-productcatalog-user-type.yaml")));
        return filter.at("/spec/configPatches/0/patch/value/typed_config/defaultSourceCode/inlineString").asText();
    }

    /** The share of calls the filter tags {@code user-type: internal}, in percent. */
    static double internalShare(LuaFilter filter) {
        int internal = 0;
        for (int i = 0; i < CALLS; i++) {
            MultiMap headers = MultiMap.caseInsensitiveMultiMap();
            assertThat(filter.onRequest(headers)).isEqualTo(LuaFilter.Outcome.CHANGED);
            if ("internal".equals(headers.get("user-type"))) {
                internal++;
            }
        }
        return 100.0 * internal / CALLS;
    }

    @Test
    void theShippedFilterTagsAbout30PercentInternal() throws Exception {
        // 10,000 calls: one standard deviation of the share is 0.46 points.
        assertThat(internalShare(new LuaFilter("shipped", shippedScript()))).isBetween(27.5, 32.5);
    }

    @Test
    void theOriginalsReseedOnEveryCallFromTheClockStillGivesAbout30Percent() {
        String original = """
                function envoy_on_request(request_handle)
                  math.randomseed(os.clock()*100000000000);
                  local r = math.random(1, 100);
                  if r <= 30 then
                    request_handle:headers():add("USER-TYPE", "internal");
                  else
                    request_handle:headers():add("USER-TYPE", "external");
                  end
                end
                """;
        assertThat(internalShare(new LuaFilter("original", original))).isBetween(27.5, 32.5);
    }

    @Test
    void aCallerThatSendsUserTypeKeepsIt() throws Exception {
        LuaFilter filter = new LuaFilter("shipped", shippedScript());
        for (int i = 0; i < 100; i++) {
            MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("user-type", "internal");
            assertThat(filter.onRequest(headers)).as("nothing changed: the route stands").isEqualTo(LuaFilter.Outcome.UNCHANGED);
            assertThat(headers.getAll("user-type")).containsExactly("internal");
        }
    }

    @Test
    void headersAreReadAndWrittenByNameInAnyCase() {
        LuaFilter filter = new LuaFilter("headers", """
                function envoy_on_request(handle)
                  local h = handle:headers()
                  h:add("X-Added", h:get("X-IN") .. "-seen")
                  h:replace("x-replaced", "new")
                  h:remove("X-Removed")
                end
                """);
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("x-in", "a").add("x-replaced", "old").add("x-removed", "gone");
        filter.onRequest(headers);
        assertThat(headers.get("x-added")).isEqualTo("a-seen");
        assertThat(headers.getAll("x-replaced")).containsExactly("new");
        assertThat(headers.contains("x-removed")).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "a CR LF in a value      | h:add('x-a', 'b\\r\\nx-injected: 1')     | holds a NUL, CR or LF",
            "a LF in a replaced value | h:replace('x-a', 'b\\nc')                 | holds a NUL, CR or LF",
            "a space in a name        | h:add('x a', 'b')                           | is not a token",
            "a colon in a name        | h:replace('x:a', 'b')                       | is not a token",
            "an empty name            | h:add('', 'b')                              | an empty header name" })
    void aHeaderThatCouldSplitTheRequestIsAScriptError(String what, String call, String message) {
        LuaFilter filter = new LuaFilter("bad header", "function envoy_on_request(handle)\n local h = handle:headers()\n " + call
                + "\nend\n");
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        assertThatThrownBy(() -> filter.onRequest(headers)).isInstanceOf(LuaError.class).hasMessageContaining(message);
        assertThat(headers.isEmpty()).as("nothing was set").isTrue();
    }

    @Test
    void respondMakesALocalReply() {
        LuaFilter filter = new LuaFilter("respond", """
                function envoy_on_request(handle)
                  handle:respond({[":status"] = "403", ["x-why"] = "blocked"}, "no")
                end
                """);
        LuaFilter.LocalReply reply = filter.onRequest(MultiMap.caseInsensitiveMultiMap()).reply();
        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.headers().get("x-why")).isEqualTo("blocked");
        assertThat(reply.body()).isEqualTo("no");
    }

    @Test
    void topLevelCodeRunsOnceWhenTheFilterLoads() {
        LuaFilter filter = new LuaFilter("counter", """
                loaded = (loaded or 0) + 1
                function envoy_on_request(handle)
                  handle:headers():replace("x-loaded", tostring(loaded))
                end
                """);
        MultiMap first = MultiMap.caseInsensitiveMultiMap();
        MultiMap second = MultiMap.caseInsensitiveMultiMap();
        filter.onRequest(first);
        filter.onRequest(second);
        assertThat(first.get("x-loaded")).isEqualTo("1");
        assertThat(second.get("x-loaded")).isEqualTo("1");
    }

    @Test
    void aFailingScriptRaisesALuaErrorNamingIt() {
        LuaFilter filter = new LuaFilter("EnvoyFilter broken", "function envoy_on_request(h) error('boom') end");
        assertThatThrownBy(() -> filter.onRequest(MultiMap.caseInsensitiveMultiMap())).isInstanceOf(LuaError.class)
                .hasMessageContaining("boom");
    }

    @Test
    void aScriptWithoutEnvoyOnRequestLeavesRequestsAlone() {
        LuaFilter filter = new LuaFilter("response only", "function envoy_on_response(h) end");
        assertThat(filter.handlesRequests()).isFalse();
        assertThat(filter.onRequest(MultiMap.caseInsensitiveMultiMap())).isEqualTo(LuaFilter.Outcome.UNCHANGED);
    }
}
