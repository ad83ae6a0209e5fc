package io.productapp.mesh.cli;

import java.nio.file.Path;

import io.productapp.mesh.config.Sources;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** A folder operand of a command: a path, or the name of a scenario folder under {@code istio/}. */
final class Folders {

    private Folders() {
    }

    /** The folder {@code operand} names; a usage error (exit 2) when it names none. */
    static Path resolve(String operand, Path root, CommandLine command) {
        return Sources.folder(operand, root).orElseThrow(
                () -> new ParameterException(command, "no folder '" + operand + "' (neither a path nor istio/" + operand + ")"));
    }
}
