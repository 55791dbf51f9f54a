package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.testing.EchoServer;
import io.asyncore.testing.RunLoop;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A map on a VirtualClock: timers follow the test's clock, sockets stay real. */
@Timeout(5)
class VirtualClockTest {
    private final VirtualClock clock = new VirtualClock();

    @Test
    void anAdvanceRunsTheTimersThatCameDueInDeadlineOrderWithoutWaiting() {
        try (SocketMap map = new SocketMap(clock)) {
            List<String> ran = new ArrayList<>();
            map.callLater(Duration.ofHours(2), () -> ran.add("two hours"));
            map.callLater(Duration.ofMinutes(1), () -> ran.add("one minute"));
            map.callLater(Duration.ofDays(1), () -> ran.add("a day"));
            map.runPass(Duration.ZERO, false);
            assertEquals(List.of(), ran, "nothing is due before the clock moves");

            clock.advance(Duration.ofHours(3));
            // No wall-clock wait: a pass with no limit returns as soon as the due timers ran.
            long start = System.nanoTime();
            while (ran.size() < 2) {
                map.runPass(null, false);
            }
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1));
            assertEquals(List.of("one minute", "two hours"), ran);
            assertEquals(Duration.ofHours(2).toNanos(), map.nanoTime(),
                    "the work the last timer set off runs at its deadline, in the next pass");
            map.runPass(Duration.ZERO, false);
            assertEquals(Duration.ofHours(3).toNanos(), map.nanoTime(), "caught up with the clock");
        }
    }

    @Test
    void aTimerThatSchedulesAnotherSeesItsOwnDeadlineAsTheTime() {
        try (SocketMap map = new SocketMap(clock)) {
            List<Long> seen = new ArrayList<>();
            Runnable[] tick = new Runnable[1];
            tick[0] = () -> {
                seen.add(map.nanoTime());
                if (seen.size() < 5) {
                    map.callLater(Duration.ofSeconds(10), tick[0]);
                }
            };
            map.callLater(Duration.ofSeconds(10), tick[0]);
            clock.advance(Duration.ofMinutes(1));
            for (int i = 0; i < 10; i++) {
                map.runPass(Duration.ZERO, false);
            }
            long s = TimeUnit.SECONDS.toNanos(1);
            assertEquals(List.of(10 * s, 20 * s, 30 * s, 40 * s, 50 * s), seen,
                    "each tick ran at its deadline, as on a real clock");
        }
    }

    @Test
    void anAdvanceFromAnotherThreadWakesALoopThatWaitsWithoutLimit() throws Exception {
        try (SocketMap map = new SocketMap(clock)) {
            CountDownLatch fired = new CountDownLatch(1);
            CountDownLatch waiting = new CountDownLatch(1);
            Thread loop = new Thread(() -> {
                map.callLater(Duration.ofMinutes(30), fired::countDown);
                waiting.countDown();
                while (fired.getCount() > 0) {
                    map.runPass(null, false); // would sleep 30 real minutes on the system clock
                }
            });
            loop.start();
            waiting.await();
            clock.advance(Duration.ofMinutes(30));
            assertTrue(fired.await(2, TimeUnit.SECONDS), "the advance woke the loop and the timer ran");
            loop.join(2000);
        }
    }

    @Test
    void realSocketsKeepWorkingWhileAVirtualTimerIsPending() throws IOException {
        try (SocketMap map = new SocketMap(clock)) {
            EchoServer server = new EchoServer(map, 5);
            boolean[] fired = {false};
            map.callLater(Duration.ofHours(1), () -> fired[0] = true);
            try (SocketChannel client = SocketChannel.open(server.address())) {
                client.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
                client.configureBlocking(false);
                ByteBuffer reply = ByteBuffer.allocate(4);
                long start = System.nanoTime();
                RunLoop.until(map, () -> {
                    try {
                        client.read(reply);
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                    return !reply.hasRemaining();
                });
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1));
                assertEquals("ping", new String(reply.array(), StandardCharsets.US_ASCII));
            }
            assertEquals(false, fired[0], "the hour has not passed on the virtual clock");
        }
    }

    @Test
    void timeNeverGoesBack() {
        clock.advance(Duration.ofSeconds(5));
        assertThrows(IllegalArgumentException.class, () -> clock.advance(Duration.ofSeconds(-1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> clock.advanceTo(Duration.ofSeconds(4)));
        assertTrue(e.getMessage().contains("never goes back"), e.getMessage());
        clock.advanceTo(Duration.ofSeconds(7));
        assertEquals(Duration.ofSeconds(7), clock.elapsed());
    }

    @Test
    void aSystemClockMapReadsSystemNanoTime() {
        try (SocketMap map = new SocketMap()) {
            long before = System.nanoTime();
            long t = map.nanoTime();
            assertTrue(t - before >= 0 && System.nanoTime() - t >= 0);
        }
    }
}
