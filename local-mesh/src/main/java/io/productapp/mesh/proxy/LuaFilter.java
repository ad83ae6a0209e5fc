package io.productapp.mesh.proxy;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.ZeroArgFunction;
import org.luaj.vm2.lib.jse.JsePlatform;

import io.vertx.core.MultiMap;

/**
 * One EnvoyFilter's Lua HTTP filter, as one Envoy worker holds it: a Lua state in which the
 * script's top-level code ran once when it was loaded, and whose {@code envoy_on_request} runs for
 * each request. Not thread-safe: a proxy keeps one per filter and uses it from its event loop.
 * <p>
 * {@code request_handle} offers what request filters of this kind use: {@code headers()} with
 * {@code get}, {@code add}, {@code replace} and {@code remove} (names in any case, as Envoy
 * lower-cases them), {@code respond(headers, body)} for a local reply, and the {@code log*} calls.
 * <p>
 * Two functions differ from plain LuaJ on purpose. {@code os.clock} has nanosecond resolution, as
 * LuaJIT's has on Linux (LuaJ's counts milliseconds). {@code math.randomseed} mixes its seed
 * (SplittableRandom) before seeding: scripts written for Envoy often reseed on every request from
 * the clock, and java.util.Random's first draws from nearby seeds are strongly correlated, which
 * would skew a 30/70 split to anything between 13 and 62 %.
 */
final class LuaFilter {

    private final String name;
    private final LuaValue onRequest;
    private final long clockOrigin = System.nanoTime();
    private SplittableRandom random = new SplittableRandom();

    /** Loads {@code source} and runs its top-level code; {@code name} identifies it in errors. */
    LuaFilter(String name, String source) {
        this.name = name;
        Globals globals = JsePlatform.standardGlobals();
        LuaValue os = globals.get("os");
        os.set("clock", new ZeroArgFunction() {
            @Override
            public LuaValue call() {
                return LuaValue.valueOf((System.nanoTime() - clockOrigin) / 1e9);
            }
        });
        LuaValue math = globals.get("math");
        math.set("randomseed", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs args) {
                random = new SplittableRandom(Double.doubleToLongBits(args.checkdouble(1)));
                return NONE;
            }
        });
        math.set("random", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs args) {
                return switch (args.narg()) {
                    case 0 -> valueOf(random.nextDouble());
                    case 1 -> valueOf(1 + random.nextLong(Math.max(1, args.checklong(1))));
                    default -> {
                        long low = args.checklong(1);
                        long high = args.checklong(2);
                        if (high < low) {
                            throw new LuaError("bad argument #2 to 'random' (interval is empty)");
                        }
                        yield valueOf(low + random.nextLong(high - low + 1));
                    }
                };
            }
        });
        globals.load(source, name).call();
        this.onRequest = globals.get("envoy_on_request");
    }

    /** Whether the script defines {@code envoy_on_request} (a response-only script does nothing to requests). */
    boolean handlesRequests() {
        return onRequest.isfunction();
    }

    /** A local reply the script asked for with {@code respond}. */
    record LocalReply(int status, MultiMap headers, String body) {
    }

    /** What a run did: the local reply it made (or null), and whether it changed the request's headers. */
    record Outcome(LocalReply reply, boolean headersChanged) {
        static final Outcome UNCHANGED = new Outcome(null, false);
        static final Outcome CHANGED = new Outcome(null, true);
    }

    /**
     * Runs {@code envoy_on_request} on the request's {@code headers} (changed in place).
     *
     * @throws LuaError when the script fails (Envoy answers 500 then)
     */
    Outcome onRequest(MultiMap headers) {
        if (!handlesRequests()) {
            return Outcome.UNCHANGED;
        }
        RequestHandle handle = new RequestHandle(headers);
        onRequest.call(handle.table);
        return new Outcome(handle.reply, handle.changed);
    }

    String name() {
        return name;
    }

    /** The {@code request_handle} of one request. */
    private static final class RequestHandle {
        final LuaTable table = new LuaTable();
        final MultiMap headers;
        LocalReply reply;
        boolean changed;

        RequestHandle(MultiMap headers) {
            this.headers = headers;
            LuaTable headerMap = headerWrapper();
            table.set("headers", new VarArgFunction() {
                @Override
                public Varargs invoke(Varargs args) {
                    return headerMap;
                }
            });
            table.set("respond", new VarArgFunction() {
                @Override
                public Varargs invoke(Varargs args) {
                    LuaValue given = args.arg(2);
                    MultiMap replyHeaders = MultiMap.caseInsensitiveMultiMap();
                    int status = 200;
                    if (given.istable()) {
                        for (LuaValue key = given.next(LuaValue.NIL).arg1(); !key.isnil(); key = given.next(key).arg1()) {
                            String header = key.tojstring();
                            if (header.equals(":status")) {
                                status = given.get(key).toint();
                            } else {
                                replyHeaders.add(header, given.get(key).tojstring());
                            }
                        }
                    }
                    reply = new LocalReply(status, replyHeaders, args.arg(3).isnil() ? "" : args.arg(3).tojstring());
                    return NONE;
                }
            });
            for (String level : List.of("logTrace", "logDebug", "logInfo", "logWarn", "logErr", "logCritical")) {
                table.set(level, new VarArgFunction() {
                    @Override
                    public Varargs invoke(Varargs args) {
                        return NONE; // Envoy's log; the local mesh keeps its access log only
                    }
                });
            }
        }

        private LuaTable headerWrapper() {
            LuaTable wrapper = new LuaTable();
            wrapper.set("get", new VarArgFunction() {
                @Override
                public Varargs invoke(Varargs args) {
                    String value = headers.get(lower(args.checkjstring(2)));
                    return value == null ? NIL : valueOf(value);
                }
            });
            wrapper.set("add", new VarArgFunction() {
                @Override
                public Varargs invoke(Varargs args) {
                    String value = args.checkjstring(3);
                    headers.add(valid(lower(args.checkjstring(2)), value), value);
                    changed = true;
                    return NONE;
                }
            });
            wrapper.set("replace", new VarArgFunction() {
                @Override
                public Varargs invoke(Varargs args) {
                    String value = args.checkjstring(3);
                    headers.set(valid(lower(args.checkjstring(2)), value), value);
                    changed = true;
                    return NONE;
                }
            });
            wrapper.set("remove", new VarArgFunction() {
                @Override
                public Varargs invoke(Varargs args) {
                    changed |= headers.contains(lower(args.checkjstring(2)));
                    headers.remove(lower(args.checkjstring(2)));
                    return NONE;
                }
            });
            return wrapper;
        }

        /** {@code name}, when {@code name: value} can go on the wire; else a Lua error saying why. */
        private static String valid(String name, String value) {
            String why = Headers.invalid(name, value);
            if (why != null) {
                throw new LuaError(why);
            }
            return name;
        }

        private static String lower(String name) {
            return name.toLowerCase(Locale.ROOT);
        }
    }
}
