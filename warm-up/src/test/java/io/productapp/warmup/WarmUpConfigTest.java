package io.productapp.warmup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad settings stop the start with a message naming the property; no path or 0 requests: no warm-up. */
class WarmUpConfigTest {

    record Settings(Optional<String> path, int requests, int concurrency) implements WarmUpConfig {
        @Override
        public Duration timeout() {
            return Duration.ofSeconds(20);
        }

        @Override
        public Duration retryPause() {
            return Duration.ofMillis(100);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/x |  -1 | 2 | productapp.warm-up.requests must be 0 or more, got -1",
            "/x |  10 | 0 | productapp.warm-up.concurrency must be 1 or more, got 0",
            "x  |  10 | 2 | productapp.warm-up.path must start with '/', got 'x'",
    })
    void aBadSettingIsRefusedNamingIt(String path, int requests, int concurrency, String message) {
        assertThatThrownBy(() -> new WarmUp(null, new Settings(Optional.of(path), requests, concurrency)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @ParameterizedTest
    @CsvSource({ "'', 300", "/x, 0" })
    void noPathOrNoRequestsMeansReadyAtOnce(String path, int requests) {
        WarmUp warmUp = new WarmUp(null, new Settings(Optional.of(path).filter(p -> !p.isEmpty()), requests, 2));
        assertThat(warmUp.progress().done()).isTrue();
        assertThat(warmUp.target()).isZero();
    }

    @ParameterizedTest
    @CsvSource({ "0.0.0.0, 127.0.0.1", "::, 127.0.0.1", "'', 127.0.0.1", "127.0.0.1, 127.0.0.1", "10.1.2.3, 10.1.2.3" })
    void theServerIsCalledOnLoopbackWhenItListensOnEveryAddress(String bound, String called) {
        assertThat(WarmUp.loopbackFor(bound)).isEqualTo(called);
    }
}
