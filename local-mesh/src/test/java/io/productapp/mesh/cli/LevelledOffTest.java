package io.productapp.mesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.productapp.loadtest.Window;

class LevelledOffTest {

    /**
     * Per-second answered pages (failed pages after a slash), the minimum in seconds, and the
     * second after which the warm-up stops (0: it does not stop).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // the mesh's climb after start, then level: it stops once the last 5 s are within 5 % of the 5 s before
            "climbing then level      | 300 300 500 500 800 800 900 1000 1200 1500 2000 2200 2400 2600 3000 3500 3500 3400 3600 3500 3550 3500 3450 3500 3520 | 10 | 24",
            // level from the first second: the minimum still holds
            "level from the start     | 2000 2000 2000 2000 2000 2000 2000 2000 2000 2000 2000 2000 2000 2000 | 10 | 10",
            // a shorter minimum (a short --warm-up) stops as soon as two blocks are there
            "shorter minimum          | 2000 2000 2000 2000 2000 2000 2000 2000 2000 2000 2000 2000 | 3 | 10",
            // still climbing by 10 % a block: it never stops (the caller's limit ends the load)
            "climbing 10 % a block    | 1000 1000 1000 1000 1000 1100 1100 1100 1100 1100 1210 1210 1210 1210 1210 1331 1331 1331 1331 1331 | 10 | 0",
            // 4 % up is level
            "4 % up is level          | 1000 1000 1000 1000 1000 1040 1040 1040 1040 1040 1040 | 10 | 10",
            // a dip is not a level: it waits until both blocks hold as much of it
            "a dip is not a level     | 2000 2000 2000 2000 2000 2000 2000 500 500 2000 2000 2000 2000 2000 2000 2000 2000 2000 | 10 | 13",
            // failed pages are fast, not warm: as many 503s as answers before is no level
            "failures do not count    | 1000 1000 1000 1000 1000 1000/1000 1000/1000 1000/1000 1000/1000 1000/1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 1000 | 10 | 20",
    })
    void stopsOnceTheAnsweredRateStopsRising(String name, String perSecond, int minimumSeconds, int stopsAfter) {
        LevelledOff level = new LevelledOff(Duration.ofSeconds(minimumSeconds));
        String[] seconds = perSecond.trim().split("\\s+");
        int stoppedAt = 0;
        for (int i = 0; i < seconds.length && stoppedAt == 0; i++) {
            long[] counts = Arrays.stream(seconds[i].split("/")).mapToLong(Long::parseLong).toArray();
            long failed = counts.length > 1 ? counts[1] : 0;
            Window window = new Window(i, 1, counts[0], failed, 1, 2, 3, 0, Map.of(), "");
            if (level.test(window)) {
                stoppedAt = i + 1;
            }
        }
        assertThat(stoppedAt).isEqualTo(stopsAfter);
        assertThat(level.levelRate() > 0).isEqualTo(stopsAfter > 0);
    }
}
