package io.productapp.mesh.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;

import picocli.CommandLine;

/**
 * {@code ./demo}: the command line, as picocli subcommands ({@code serve}, the default;
 * {@code apply}, {@code run}, {@code check}); each does its work through the layers below, and
 * none parses another's arguments.
 */
public final class Demo {

    static final String VERSION = "./demo (productapp local mesh 1.0)";

    private Demo() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line; returns the exit code: 0 done, 1 failed, 2 usage error. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Console console = new Console(root(), out, err);
        ServeCommand top = new ServeCommand(console, null);
        CommandLine cli = new CommandLine(top).setCommandName("./demo");
        cli.getCommandSpec().usageMessage().header("The Product Catalog suite on this machine, in a local Istio-like mesh: no cluster needed.");
        cli.addSubcommand("serve", new ServeCommand(console, top));
        cli.addSubcommand("apply", new ApplyCommand(console, top));
        cli.addSubcommand("run", new CommandLine(new RunCommand(console, top)).setUnmatchedOptionsArePositionalParams(true));
        cli.addSubcommand("check", new CheckCommand(console));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setParameterExceptionHandler((e, given) -> {
            err.println("demo: " + e.getMessage().lines().findFirst().orElse("") + " (see " + e.getCommandLine().getCommandSpec().qualifiedName()
                    + " --help)");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            err.println("demo: " + e.getMessage());
            return 1;
        });
        return cli.execute(args);
    }

    static Path root() {
        return Path.of(System.getProperty("productapp.root", ".")).toAbsolutePath().normalize();
    }
}
