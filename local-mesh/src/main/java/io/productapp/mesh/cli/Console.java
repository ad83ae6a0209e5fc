package io.productapp.mesh.cli;

import java.io.PrintStream;
import java.nio.file.Path;

/** Where the commands work and speak: the project's root, standard output and standard error. */
record Console(Path root, PrintStream out, PrintStream err) {
}
