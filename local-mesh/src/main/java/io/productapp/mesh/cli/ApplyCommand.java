package io.productapp.mesh.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import io.productapp.mesh.admin.AdminClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ./demo apply FOLDER...}: what {@code kubectl apply -f} is on a cluster, for a running {@code ./demo}. */
@Command(name = "apply", mixinStandardHelpOptions = true, version = Demo.VERSION, header = "Apply folders of Istio manifests to a running ./demo, as kubectl apply -f.", sortOptions = false,
        description = { "While ./demo runs: validate folder(s) of Istio manifests and apply them, as kubectl apply -f does; refused "
                + "with the findings when invalid (nothing changes)." })
final class ApplyCommand implements Callable<Integer> {

    private final Console console;
    /** {@code ./demo} itself: the options written before {@code apply}. */
    private final ServeCommand top;

    @Spec
    CommandSpec spec;

    @Mixin
    MeshOptions options = new MeshOptions();

    @Parameters(arity = "1..*", paramLabel = "FOLDER", description = "A folder of manifests: a path, or a name under istio/.")
    List<String> folders;

    ApplyCommand(Console console, ServeCommand top) {
        this.console = console;
        this.top = top;
    }

    @Override
    public Integer call() throws InterruptedException {
        List<Path> resolved = folders.stream().map(f -> Folders.resolve(f, console.root(), spec.commandLine())).toList();
        int admin = options.ports(top.options).admin();
        AdminClient client = new AdminClient(admin);
        int exit = 0;
        for (Path folder : resolved) {
            try {
                exit = Math.max(exit, client.apply(folder, console.out(), console.err()));
            } catch (IOException e) {
                console.err().println("demo: no local mesh answers on 127.0.0.1:" + admin + " (" + e.getMessage() + "); start one with ./demo"
                        + ServeCommand.portOption(options.offset(top.options)) + " first");
                return 1;
            }
        }
        return exit;
    }
}
