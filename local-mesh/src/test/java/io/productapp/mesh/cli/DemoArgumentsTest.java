package io.productapp.mesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DemoArgumentsTest {

    @ParameterizedTest(name = "{0} -> exit {1}")
    @CsvSource(delimiter = '|', value = {
            "--frobnicate                              | 2 | Unknown option: '--frobnicate'",
            "--port-offset                             | 2 | Missing required parameter for option '--port-offset'",
            "--port-offset two                         | 2 | Invalid value for option '--port-offset': 'two' is not an int",
            "--port-offset -5                          | 2 | --port-offset must be between 0 and 45000, got -5",
            "--port-offset 60000                       | 2 | --port-offset must be between 0 and 45000, got 60000",
            "--seed x                                  | 2 | Invalid value for option '--seed': 'x' is not a long",
            "--warm-up -1                              | 2 | --warm-up must be between 0 and 600 seconds, got -1",
            "serve --warm-up 601                       | 2 | --warm-up must be between 0 and 600 seconds, got 601",
            "--warm-up soon                            | 2 | Invalid value for option '--warm-up': 'soon' is not an int",
            "apply                                     | 2 | Missing required parameter: 'FOLDER'",
            "run                                       | 2 | Missing required parameter: 'FOLDER'",
            "apply no-such-folder                      | 2 | no folder 'no-such-folder' (neither a path nor istio/no-such-folder)",
            "run no-such-folder                        | 2 | no folder 'no-such-folder'",
            "check no-such-folder                      | 2 | no folder 'no-such-folder'",
            "apply setup-mesh-resources --frobnicate   | 2 | Unknown option: '--frobnicate'",
            "stray                                     | 2 | Unmatched argument at index 0: 'stray'",
            "run setup-mesh-resources -c               | 2 | ./loadtest options: Missing required parameter for option '--concurrent'",
            "run setup-mesh-resources --port-offset 5 --frobnicate | 2 | ./loadtest options: Unknown option: '--frobnicate'",
            "run setup-mesh-resources --port-offset x  | 2 | Invalid value for option '--port-offset': 'x' is not an int",
            "run setup-mesh-resources http://x/        | 2 | ./loadtest options: the options name a target (http://x/)",
            "run setup-mesh-resources -c 3 -- --seed x | 2 | ./loadtest options: Invalid value for option '--seed': 'x' is not a long",
    })
    void badArgumentsExitWith2AndNameTheArgumentBeforeAnythingStarts(String args, int exit, String message) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Demo.run(args.split(" "), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(exit);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(message);
    }

    @ParameterizedTest
    @CsvSource({ "--help", "-h" })
    void helpPrintsUsageAndExits0(String flag) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Demo.run(new String[] { flag }, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream()));
        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: ./demo", "serve", "apply", "run", "check");
    }
}
