package io.productapp.warmup;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;

/** The test application's paths: one held until the test opens it, one that always fails. */
@Path("/")
public class Gate {

    static final CompletableFuture<Void> OPEN = new CompletableFuture<>();
    static final AtomicInteger HELD_CALLS = new AtomicInteger();
    static final AtomicInteger FAILING_CALLS = new AtomicInteger();

    @GET
    @Path("held")
    public Uni<String> held() {
        HELD_CALLS.incrementAndGet();
        return Uni.createFrom().completionStage(OPEN).replaceWith("warm");
    }

    @GET
    @Path("failing")
    public Response failing() {
        FAILING_CALLS.incrementAndGet();
        return Response.status(503).entity("not yet").build();
    }
}
