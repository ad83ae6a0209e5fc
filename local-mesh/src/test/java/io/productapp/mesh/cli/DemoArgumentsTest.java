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
            "--frobnicate         | 2 | unknown argument '--frobnicate'",
            "--port-offset        | 2 | --port-offset needs a number",
            "--port-offset two    | 2 | --port-offset must be a whole number, got 'two'",
            "--port-offset -5     | 2 | --port-offset must be between 0 and 45000, got -5",
            "--port-offset 60000  | 2 | --port-offset must be between 0 and 45000, got 60000",
            "--seed x             | 2 | --seed must be a whole number, got 'x'",
            "apply                | 2 | apply needs a folder",
            "run                  | 2 | run needs a folder",
            "run --smoke x        | 2 | --smoke is for ./demo alone",
            "apply x --frobnicate | 2 | unknown argument '--frobnicate'",
            "stray                | 2 | unknown argument 'stray'",
    })
    void badArgumentsExitWith2AndNameTheArgument(String args, int exit, String message) {
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
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: ./demo");
    }
}
