package io.productapp.mesh.cli;

import java.io.PrintStream;

import io.productapp.mesh.launch.Layout;
import io.productapp.mesh.launch.Layout.Instance;
import io.productapp.mesh.launch.LocalMesh;

/** Starting the local mesh, as ./demo and ./demo run do, and listing its instances. */
final class MeshStart {

    private MeshStart() {
    }

    /** The mesh started, what it starts added to the stopper's teardown; null when it could not start (the reason printed). */
    static LocalMesh start(Console console, Layout.Ports ports, long seed, Stopper stopper) {
        console.out().println("demo: starting the local mesh on 127.0.0.1 (seed " + seed + ") ...");
        try {
            return LocalMesh.start(console.root(), new LocalMesh.Options(ports, seed, console.root().resolve("local-mesh/target/mesh-logs"),
                    ServeCommand.START_TIMEOUT), console.out()::println, stopper.teardown());
        } catch (LocalMesh.MeshException e) {
            if (!stopper.stopping()) {
                console.err().println("demo: could not start the mesh: " + e.getMessage());
            }
            stopper.stop();
            return null;
        }
    }

    /** One line per instance: name, app and version, zone, its port and its sidecar's. */
    static void describe(LocalMesh mesh, PrintStream out) {
        for (Instance instance : mesh.instances()) {
            out.printf("demo:   %-18s %-28s zone %-11s :%d, sidecar :%d%n", instance.name(),
                    instance.labels().getOrDefault("app", "") + " " + instance.labels().getOrDefault("version", ""),
                    instance.locality().zone(), instance.port(), instance.sidecarPort());
        }
    }
}
