package io.productapp.mesh.cli;

import io.productapp.mesh.launch.Layout;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options every command that starts or reaches a mesh takes, meaning the same wherever they
 * are written: before the command ({@code ./demo --port-offset 100 apply DIR}) or after it
 * ({@code ./demo run DIR --port-offset 100 -c 20}).
 */
final class MeshOptions {

    static final int MAX_OFFSET = 45_000;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    private Integer offset;
    private Long seed;

    @Option(names = "--port-offset", paramLabel = "N", description = "Add N to every port (when the defaults are taken), 0 to "
            + MAX_OFFSET + ".")
    void offset(int value) {
        if (value < 0 || value > MAX_OFFSET) {
            throw new ParameterException(spec.commandLine(), "--port-offset must be between 0 and " + MAX_OFFSET + ", got " + value);
        }
        offset = value;
    }

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the proxies' random draws (weights, fault and mirror shares, "
            + "load balancing), to repeat a run. Default: from the clock.")
    void seed(long value) {
        seed = value;
    }

    /** This command's value, else the one written before the command, else 0. */
    int offset(MeshOptions before) {
        return offset != null ? offset : before != null && before.offset != null ? before.offset : 0;
    }

    /** This command's value, else the one written before the command, else one from the clock. */
    long seed(MeshOptions before) {
        return seed != null ? seed : before != null && before.seed != null ? before.seed : System.nanoTime();
    }

    Layout.Ports ports(MeshOptions before) {
        return Layout.Ports.DEFAULT.withOffset(offset(before));
    }
}
