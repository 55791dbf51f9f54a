package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.testing.RunLoop;
import io.asyncore.testing.SocketPairs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Leak detection on real loopback sockets: a dispatcher dropped with its channel open is reported
 * with where it was created and its channel closed (the peer sees end of stream); one closed, or
 * whose channel was handed over, is never reported. Full tracking is set through the package hook.
 */
@Timeout(30)
class LeakDetectionTest {
    private LeakDetection.Mode before;
    private final List<LeakReport> reports = new CopyOnWriteArrayList<>();
    private final LoopHealthListener listener = new LoopHealthListener() {
        @Override
        public void leaked(SocketMap map, LeakReport report) {
            reports.add(report);
        }
    };

    @BeforeEach
    void watchEveryDispatcher() {
        before = LeakDetection.setMode(LeakDetection.Mode.FULL);
    }

    @AfterEach
    void restoreMode() {
        LeakDetection.setMode(before);
    }

    /** Creates a dispatcher on {@code sock} and lets it leave the map open: nothing refers to it afterwards. */
    private static void dropAfterDelChannel(SocketChannel sock, SocketMap map) {
        new Servers.Idle(sock, map).delChannel();
    }

    /**
     * Runs passes of {@code map} (even empty: a pass forgets the dispatchers that left, and the
     * selector their keys), asking the collector to run, until {@code n} reports arrived.
     */
    private void collectUntilReported(SocketMap map, int n) {
        long deadline = System.nanoTime() + RunLoop.DEFAULT_LIMIT.toNanos();
        while (reports.size() < n) {
            assertTrue(System.nanoTime() - deadline < 0, "no leak report within " + RunLoop.DEFAULT_LIMIT + ": " + reports);
            System.gc();
            map.runPass(Duration.ofMillis(10), false);
        }
    }

    @Test
    void aDispatcherDroppedOpenAfterDelChannelIsReportedWithItsCreationAndItsChannelClosed() throws IOException {
        SocketChannel[] pair = SocketPairs.loopback();
        try (SocketMap map = new SocketMap(); LogCapture log = new LogCapture(); SocketChannel peer = pair[1]) {
            map.setHealthListener(listener);
            dropAfterDelChannel(pair[0], map);
            collectUntilReported(map, 1);

            LeakReport report = reports.get(0);
            assertEquals(Servers.Idle.class.getName(), report.leaked());
            assertTrue(report.channel().contains("127.0.0.1"), report.channel());
            assertTrue(report.createdAt().stream().anyMatch(f -> f.getMethodName().equals("dropAfterDelChannel")),
                    report.createdAt().toString());
            assertEquals(-1, peer.read(ByteBuffer.allocate(1)), "the peer sees end of stream: the descriptor is closed");
            assertFalse(pair[0].isOpen());
            assertEquals(1, map.stats().leaks());

            LogRecord warning = log.records().stream().filter(r -> r.getMessage().startsWith("leak:")).findFirst().orElseThrow();
            assertTrue(warning.getMessage().contains(Servers.Idle.class.getName()) && warning.getMessage().contains("127.0.0.1"),
                    warning.getMessage());
            assertTrue(List.of(warning.getThrown().getStackTrace()).stream()
                    .anyMatch(f -> f.getMethodName().equals("dropAfterDelChannel")), "the log carries the creation stack");
        }
    }

    @Test
    void closedDispatchersAreNeverReported() throws IOException {
        SocketChannel[] closedPair = SocketPairs.loopback();
        SocketChannel[] handleClosePair = SocketPairs.loopback();
        SocketChannel[] sentinelPair = SocketPairs.loopback();
        try (SocketMap map = new SocketMap(); SocketChannel a = closedPair[1]; SocketChannel b = handleClosePair[1];
                SocketChannel c = sentinelPair[1]) {
            map.setHealthListener(listener);
            new Servers.Idle(closedPair[0], map).close();
            Servers.Idle viaHandleClose = new Servers.Idle(handleClosePair[0], map) {
                @Override
                public void handleClose() {
                    close();
                }
            };
            viaHandleClose.delChannel(); // left the map first, then closed: still no leak
            viaHandleClose.handleClose();
            viaHandleClose = null;
            dropAfterDelChannel(sentinelPair[0], map); // the one leak, to know the collector has looked
            collectUntilReported(map, 1);
            System.gc();
            map.runPass(Duration.ofMillis(10), false);
            assertEquals(1, reports.size(), reports.toString());
            assertTrue(reports.get(0).channel().contains(String.valueOf(((java.net.InetSocketAddress) c.getLocalAddress()).getPort())),
                    "only the sentinel leaked: " + reports);
        }
    }

    @Test
    void aChannelHandedToAnotherDispatcherOrReleasedIsNotReported() throws IOException {
        SocketChannel[] handedOver = SocketPairs.loopback();
        SocketChannel[] released = SocketPairs.loopback();
        SocketChannel[] sentinelPair = SocketPairs.loopback();
        try (SocketMap map = new SocketMap(); SocketChannel a = handedOver[1]; SocketChannel b = released[1];
                SocketChannel c = sentinelPair[1]) {
            map.setHealthListener(listener);
            dropAfterDelChannel(handedOver[0], map);
            Servers.Idle second = new Servers.Idle(handedOver[0], map); // the hand-over idiom: delChannel(), then a new dispatcher
            new Servers.Idle(released[0], map).releaseSocket();
            dropAfterDelChannel(sentinelPair[0], map);
            collectUntilReported(map, 1);
            System.gc();
            map.runPass(Duration.ofMillis(10), false);
            assertEquals(1, reports.size(), reports.toString());
            assertTrue(handedOver[0].isOpen() && released[0].isOpen());
            assertTrue(second.isConnected());
            second.close();
            released[0].close();
        }
    }

    @Test
    void samplingWatchesOneDispatcherIn128AndOffWatchesNone() throws IOException {
        try (SocketMap map = new SocketMap()) {
            LeakDetection.setMode(LeakDetection.Mode.SAMPLE);
            int watched = 0;
            int n = 10 * LeakDetection.SAMPLE_INTERVAL;
            for (int i = 0; i < n; i++) {
                Dispatcher d = new Dispatcher(SocketChannel.open(), map);
                watched += d.leakWatched() ? 1 : 0;
                d.close();
            }
            assertEquals(10, watched, "one in " + LeakDetection.SAMPLE_INTERVAL + " of " + n);

            LeakDetection.setMode(LeakDetection.Mode.OFF);
            for (int i = 0; i < 2 * LeakDetection.SAMPLE_INTERVAL; i++) {
                Dispatcher d = new Dispatcher(SocketChannel.open(), map);
                assertFalse(d.leakWatched());
                d.close();
            }
        }
    }
}
