package io.productapp.mesh.proxy;

/**
 * One stage of a proxy's HTTP filter chain, as Envoy's decoder filters are: it sees the request in
 * turn and lets it go on, or stops the chain (to go on later with
 * {@link Downstream#continueDecoding()}, or because it answered).
 */
interface HttpFilter {

    /** Decodes the request: true to go on to the next filter now, false when this one stopped the chain. */
    boolean decode(Downstream stream);

    /** The request completed (answered, or its caller gone): let go of timers and upstream work. */
    default void onDestroy() {
    }
}
