package io.productapp.mesh.proxy;

import java.time.Duration;

import io.productapp.mesh.route.RouteOutcome.Forward;
import io.productapp.mesh.route.RouteOutcome.RouteAction;

/**
 * Envoy's fault filter on the route chosen for the request as it came: the delay rolled at its
 * percentage (flag DI), then, once the delay is over, the abort rolled at its own (flag FI): the
 * proxy answers with the abort's status and the request never leaves. The two draws are
 * independent, as Istio documents.
 */
final class FaultFilter implements HttpFilter {

    private Downstream stream;
    private long delayTimer = -1;

    @Override
    public boolean decode(Downstream stream) {
        if (!(stream.route() instanceof Forward forward) || forward.action().fault() == null) {
            return true;
        }
        RouteAction action = forward.action();
        Duration delay = action.rollDelay(stream.random());
        if (delay == null) {
            return notAborted(stream, action);
        }
        this.stream = stream;
        stream.info().flag(ResponseFlag.DI);
        delayTimer = stream.proxy().vertx().setTimer(Math.max(1, delay.toMillis()), t -> {
            delayTimer = -1;
            if (notAborted(stream, action)) {
                stream.continueDecoding();
            }
        });
        return false;
    }

    private static boolean notAborted(Downstream stream, RouteAction action) {
        int status = action.rollAbort(stream.random());
        if (status == 0) {
            return true;
        }
        stream.sendLocalReply(status, "fault filter abort", "fault_filter_abort", ResponseFlag.FI);
        return false;
    }

    @Override
    public void onDestroy() {
        if (delayTimer >= 0) {
            stream.proxy().vertx().cancelTimer(delayTimer);
            delayTimer = -1;
        }
    }
}
