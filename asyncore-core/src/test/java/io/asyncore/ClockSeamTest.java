package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Timers read the map's clock, the one place the loop asks what time it is. */
@Timeout(10)
class ClockSeamTest {
    private long now = 1_000;

    @Test
    void timersFollowTheMapsClockNotTheWallClock() {
        try (SocketMap map = new SocketMap(() -> now)) {
            List<String> ran = new ArrayList<>();
            map.callLater(Duration.ofHours(2), () -> ran.add("two hours"));
            map.callLater(Duration.ofHours(1), () -> ran.add("one hour"));
            map.runPass(Duration.ZERO, false);
            assertEquals(List.of(), ran, "nothing is due before the clock moves");

            now += Duration.ofHours(1).toNanos();
            map.runPass(Duration.ZERO, false);
            assertEquals(List.of("one hour"), ran);

            now += Duration.ofHours(1).toNanos();
            // Due now: the pass does not wait for its timeout of a minute, it runs the timer at once.
            map.runPass(Duration.ofMinutes(1), false);
            assertEquals(List.of("one hour", "two hours"), ran);
        }
    }
}
