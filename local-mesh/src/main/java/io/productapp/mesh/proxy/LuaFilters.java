package io.productapp.mesh.proxy;

import org.luaj.vm2.LuaError;

import io.vertx.core.buffer.Buffer;

/**
 * The Lua HTTP filters of the EnvoyFilters that select the proxy's workload, in order: a script
 * may answer itself ({@code respond}), or change the headers, which clears the route cache so the
 * router matches the request as changed (header-based routing relies on it). A failing script
 * answers 500, as Envoy's Lua filter does.
 */
final class LuaFilters implements HttpFilter {

    static final LuaFilters INSTANCE = new LuaFilters();

    private LuaFilters() {
    }

    @Override
    public boolean decode(Downstream stream) {
        LuaFilter.Outcome outcome;
        try {
            outcome = stream.proxy().runLua(stream.snapshot(), stream.headers());
        } catch (LuaError e) {
            stream.sendLocalReply(500, "local mesh: Lua filter failed: " + e.getMessage(), "lua_error", null);
            return false;
        }
        if (outcome.reply() != null) {
            stream.respond(outcome.reply().status(), outcome.reply().headers(), Buffer.buffer(outcome.reply().body()), "lua_response");
            return false;
        }
        if (outcome.headersChanged()) {
            stream.clearRouteCache();
        }
        return true;
    }
}
