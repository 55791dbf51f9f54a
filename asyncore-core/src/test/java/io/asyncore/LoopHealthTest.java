package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.testing.RunLoop;
import io.asyncore.testing.SocketPairs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Slow-handler detection, the map's counters and the JFR events, on a real loop and real sockets. */
@Timeout(30)
class LoopHealthTest {
    /** Holds the loop thread for {@code d} without sleeping on a timer of the map. */
    private static void busy(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() - end < 0) {
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** A connected dispatcher whose read handler takes {@code holdFor}. */
    private static Dispatcher slowReader(SocketChannel sock, SocketMap map, Duration holdFor) {
        return new DispatcherWithSend(sock, map) {
            @Override
            public void handleRead() throws IOException {
                recv(100);
                busy(holdFor);
            }

            @Override
            public String toString() {
                return "<slow reader>";
            }
        };
    }

    @Test
    void aHandlerOverTheThresholdIsLoggedOnceNamingDispatcherEventAndTime() throws IOException {
        SocketChannel[] pair = SocketPairs.loopback();
        try (SocketMap map = new SocketMap(); LogCapture log = new LogCapture(); SocketChannel peer = pair[1]) {
            map.setSlowHandlerThreshold(Duration.ofMillis(30));
            slowReader(pair[0], map, Duration.ofMillis(60));
            peer.write(ByteBuffer.wrap(new byte[] {1}));
            RunLoop.until(map, () -> map.stats().events() >= 1);
            List<String> slow = log.messages().stream().filter(m -> m.startsWith("slow handler")).toList();
            assertEquals(1, slow.size(), slow.toString());
            assertTrue(slow.get(0).matches("slow handler: the read handler of <slow reader> held the loop for \\d+\\.\\d ms"
                    + " \\(threshold 30\\.0 ms\\).*"), slow.get(0));
            assertTrue(map.stats().longestHandler().compareTo(Duration.ofMillis(60)) >= 0);
        }
    }

    @Test
    void aSlowTaskAndTimerGoToTheListenerAndFastOnesDoNot() {
        try (SocketMap map = new SocketMap()) {
            List<String> reports = new CopyOnWriteArrayList<>();
            map.setSlowHandlerThreshold(Duration.ofMillis(30));
            map.setHealthListener(new LoopHealthListener() {
                @Override
                public void slowHandler(SocketMap m, String handler, String event, Duration heldFor) {
                    reports.add(event + (heldFor.toMillis() >= 30 ? " slow" : " fast?"));
                }
            });
            map.execute(() -> busy(Duration.ofMillis(40)));
            map.execute(() -> { });
            map.callLater(Duration.ZERO, () -> busy(Duration.ofMillis(40)));
            map.callLater(Duration.ZERO, () -> { });
            map.runPass(Duration.ZERO, false);
            assertEquals(List.of("task slow", "timer slow"), reports);
            LoopStats stats = map.stats();
            assertEquals(2, stats.tasks());
            assertEquals(2, stats.timers());
            assertEquals(1, stats.passes());
        }
    }

    @Test
    void theOffSwitchStopsReportsAndTheLongestHandlerMeasurement() {
        try (SocketMap map = new SocketMap(); LogCapture log = new LogCapture()) {
            map.setSlowHandlerThreshold(Duration.ZERO);
            map.execute(() -> busy(Duration.ofMillis(120)));
            map.runPass(Duration.ZERO, false);
            assertTrue(log.messages().stream().noneMatch(m -> m.startsWith("slow handler")), log.messages().toString());
            assertEquals(Duration.ZERO, map.stats().longestHandler());
            assertEquals(1, map.stats().tasks());
        }
    }

    @Test
    void theDefaultThresholdIsOneHundredMilliseconds() {
        try (SocketMap map = new SocketMap()) {
            assertEquals(Duration.ofMillis(100), map.slowHandlerThreshold());
        }
    }

    @Test
    void statsCountPassesEventsAndDispatchers() throws IOException {
        SocketChannel[] pair = SocketPairs.loopback();
        try (SocketMap map = new SocketMap(); SocketChannel peer = pair[1]) {
            slowReader(pair[0], map, Duration.ZERO);
            peer.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            RunLoop.until(map, () -> map.stats().events() >= 1);
            LoopStats stats = map.stats();
            assertEquals(1, stats.dispatchers());
            assertTrue(stats.passes() >= 1);
        }
    }

    @Test
    void aRecordingSeesSlowPassesSlowHandlersAndDiscardedOutput() throws Exception {
        SocketChannel[] pair = SocketPairs.loopback();
        java.nio.file.Path file = java.nio.file.Files.createTempFile("asyncore", ".jfr");
        try (Recording recording = new Recording(); SocketMap map = new SocketMap(); SocketChannel peer = pair[1]) {
            recording.enable("io.asyncore.LoopPass").withThreshold(Duration.ofMillis(10));
            recording.enable("io.asyncore.SlowHandler");
            recording.enable("io.asyncore.OutputDiscarded");
            recording.start();

            map.setSlowHandlerThreshold(Duration.ofMillis(20));
            slowReader(pair[0], map, Duration.ofMillis(40));
            peer.write(ByteBuffer.wrap(new byte[] {1}));
            RunLoop.until(map, () -> map.stats().events() >= 1);

            // A dispatcher whose peer never reads: its queue fills, then it is closed with bytes queued.
            SocketChannel[] stuck = SocketPairs.loopback();
            DispatcherWithSend sender = new DispatcherWithSend(stuck[0], map);
            byte[] chunk = new byte[1 << 20];
            for (int i = 0; i < 16 && sender.pendingBytes() == 0; i++) {
                sender.send(chunk);
            }
            long queued = sender.pendingBytes();
            assertTrue(queued > 0, "the kernel took everything");
            sender.close();
            stuck[1].close();

            recording.stop();
            recording.dump(file);
            List<RecordedEvent> events = RecordingFile.readAllEvents(file);
            RecordedEvent pass = only(events, "io.asyncore.LoopPass");
            assertTrue(pass.getInt("keysSelected") >= 1);
            assertTrue(pass.getLong("eventsFired") >= 1);
            assertTrue(pass.getDuration().toMillis() >= 10);
            RecordedEvent slow = only(events, "io.asyncore.SlowHandler");
            assertEquals("<slow reader>", slow.getString("handler"));
            assertEquals("read", slow.getString("event"));
            assertTrue(slow.getLong("heldFor") >= Duration.ofMillis(40).toNanos());
            RecordedEvent discarded = only(events, "io.asyncore.OutputDiscarded");
            assertEquals(queued, discarded.getLong("bytes"));
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    private static RecordedEvent only(List<RecordedEvent> events, String name) {
        List<RecordedEvent> found = events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
        assertEquals(1, found.size(), name + ": " + found);
        return found.get(0);
    }
}
