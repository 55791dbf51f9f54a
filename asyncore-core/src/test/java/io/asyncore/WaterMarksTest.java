package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.testing.EchoHandler;
import io.asyncore.testing.RunLoop;
import io.asyncore.testing.SocketPairs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** DispatcherWithSend's bounds: water marks on the send queue, flush-then-close, a gone peer. */
@Timeout(60)
class WaterMarksTest {
    private final SocketMap map = new SocketMap();

    @AfterEach
    void tearDown() {
        map.close();
    }

    /** The documentation's echo handler: it reads while the library lets it; records its largest queue. */
    static final class Echo extends EchoHandler {
        long maxPending;

        Echo(SocketChannel sock, SocketMap map) {
            super(sock, map);
        }

        @Override
        public void handleRead() throws IOException {
            super.handleRead();
            maxPending = Math.max(maxPending, pendingBytes());
        }

        @Override
        public void handleClose() {
            closeWhenDone();
        }
    }

    /** A connected pair: the dispatcher's side with small kernel buffers, and a non-blocking peer. */
    private static SocketChannel[] pair() throws IOException {
        SocketChannel[] p = SocketPairs.loopback();
        SocketChannel peer = p[0];
        SocketChannel local = p[1];
        local.setOption(StandardSocketOptions.SO_SNDBUF, 16 * 1024);
        local.setOption(StandardSocketOptions.SO_RCVBUF, 16 * 1024);
        peer.setOption(StandardSocketOptions.SO_RCVBUF, 16 * 1024);
        peer.configureBlocking(false);
        return new SocketChannel[] {local, peer};
    }

    /** One non-blocking read into {@code into}, cleared first: the count, or -1 at end of stream. */
    private static int read(SocketChannel peer, ByteBuffer into) {
        into.clear();
        try {
            return peer.read(into);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static int interest(Dispatcher d) {
        return d.registration.key == null ? 0 : d.registration.key.interestOps();
    }

    @Test
    void anEchoToAPeerThatDoesNotReadStopsReadingAboveTheHighMarkAndHoldsAtMostTheMarkPlusOneRead() throws IOException {
        SocketChannel[] p = pair();
        try (SocketChannel peer = p[1]) {
            Echo echo = new Echo(p[0], map);
            // The peer writes as much as the connection takes and reads nothing.
            ByteBuffer chunk = ByteBuffer.allocate(65536);
            long written = 0;
            for (int pass = 0; pass < 2000 && !echo.isReadPaused(); pass++) {
                chunk.clear();
                written += peer.write(chunk);
                Asyncore.loop(java.time.Duration.ofMillis(5), false, map, 1);
            }
            assertTrue(echo.isReadPaused(), "reading paused once the queue passed the high mark (peer wrote " + written + ")");
            assertFalse(echo.readable());
            assertTrue(echo.pendingBytes() > DispatcherWithSend.DEFAULT_HIGH_WATER_MARK);
            // The loop announced it: no read interest in the selector any more.
            Asyncore.loop(java.time.Duration.ZERO, false, map, 1);
            assertEquals(0, interest(echo) & SelectionKey.OP_READ, "read interest dropped");
            // More passes with the peer still writing: the queue does not grow.
            for (int pass = 0; pass < 50; pass++) {
                chunk.clear();
                peer.write(chunk);
                Asyncore.loop(java.time.Duration.ofMillis(1), false, map, 1);
            }
            assertTrue(echo.maxPending <= DispatcherWithSend.DEFAULT_HIGH_WATER_MARK + 8192,
                    "queued at most the high mark plus one read: " + echo.maxPending);

            // The peer reads: the queue drains to the low mark and reading resumes.
            ByteBuffer sink = ByteBuffer.allocate(1 << 20);
            RunLoop.until(map, false, () -> read(peer, sink) >= 0 && !echo.isReadPaused());
            assertTrue(echo.pendingBytes() <= DispatcherWithSend.DEFAULT_LOW_WATER_MARK, "resumed at the low mark: " + echo.pendingBytes());
            assertTrue(echo.readable());
        }
    }

    @Test
    void everyByteOfABigTransferArrivesInOrderThroughTheBoundedQueue() throws IOException {
        SocketChannel[] p = pair();
        try (SocketChannel peer = p[1]) {
            Echo echo = new Echo(p[0], map);
            byte[] payload = new byte[4 << 20];
            new Random(11).nextBytes(payload);
            ByteBuffer out = ByteBuffer.wrap(payload);
            ByteArrayOutputStream back = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(65536);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (back.size() < payload.length) {
                assertTrue(System.nanoTime() < deadline, "echo incomplete: " + back.size());
                if (out.hasRemaining()) {
                    peer.write(out);
                }
                Asyncore.loop(java.time.Duration.ofMillis(1), false, map, 1);
                in.clear();
                int n = peer.read(in);
                back.write(in.array(), 0, Math.max(n, 0));
            }
            assertArrayEquals(payload, back.toByteArray());
            assertTrue(echo.maxPending <= DispatcherWithSend.DEFAULT_HIGH_WATER_MARK + 8192, "max queued " + echo.maxPending);
        }
    }

    @Test
    void theQueueBufferStaysWithinTwiceTheLargestQueueUnderSteadyTraffic() throws IOException {
        SocketChannel[] p = pair();
        try (SocketChannel peer = p[1]) {
            DispatcherWithSend d = new DispatcherWithSend(p[0], map) {
                @Override
                public void handleRead() {
                }
            };
            ByteBuffer in = ByteBuffer.allocate(4000);
            byte[] piece = new byte[1000];
            d.send(new byte[1 << 20]); // a cushion, so the queue never empties below
            int maxPending = d.pendingBytes();
            // A queue of steady size that moves 5 MB through its buffer: each round adds 1,000
            // bytes, and every fourth round the peer takes 4,000.
            for (int round = 0; round < 5000; round++) {
                d.send(piece);
                maxPending = Math.max(maxPending, d.pendingBytes());
                if (round % 4 == 0) {
                    in.clear();
                    peer.read(in);
                    Asyncore.loop(java.time.Duration.ZERO, false, map, 1);
                }
            }
            assertTrue(d.pendingBytes() > 0, "the test keeps the queue non-empty");
            assertTrue(d.queueCapacity() <= Math.max(4096, 2 * (maxPending + piece.length)),
                    "capacity " + d.queueCapacity() + " for a queue of at most " + maxPending);
        }
    }

    @Test
    void closeWhenDoneSendsEverythingQueuedThenCloses() throws IOException {
        SocketChannel[] p = pair();
        try (SocketChannel peer = p[1]) {
            DispatcherWithSend d = new DispatcherWithSend(p[0], map);
            byte[] payload = new byte[3 << 20];
            new Random(3).nextBytes(payload);
            d.send(payload);
            assertTrue(d.pendingBytes() > 0, "the kernel did not take 3 MiB at once");
            d.closeWhenDone();
            assertFalse(d.readable(), "no reading after closeWhenDone");
            assertFalse(d.isClosed());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.send(new byte[1]));
            assertTrue(e.getMessage().contains("after closeWhenDone()"), e.getMessage());
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(65536);
            RunLoop.until(map, false, () -> {
                int n = read(peer, in);
                got.write(in.array(), 0, Math.max(n, 0));
                return n < 0;
            });
            assertArrayEquals(payload, got.toByteArray(), "every queued byte before the close");
            assertTrue(d.isClosed());
            assertEquals(0, map.size());
        }
    }

    @Test
    void closeWhenDoneWithNothingQueuedClosesOnTheNextPass() throws IOException {
        SocketChannel[] p = pair();
        try (SocketChannel peer = p[1]) {
            DispatcherWithSend d = new DispatcherWithSend(p[0], map);
            d.closeWhenDone();
            d.closeWhenDone(); // again: nothing more happens
            RunLoop.until(map, false, d::isClosed);
            assertEquals(-1, readEof(peer), "the peer sees end of stream");
        }
    }

    /** One blocking read by the peer: -1 once the dispatcher's close reached it (the class timeout bounds the wait). */
    private static int readEof(SocketChannel peer) throws IOException {
        peer.configureBlocking(true);
        return peer.read(ByteBuffer.allocate(1));
    }

    @Test
    void aPeerThatGoesAwayWhileBytesAreQueuedClosesTheDispatcherEvenIfHandleCloseDoesNot() throws IOException {
        SocketChannel[] p = pair();
        SocketChannel peer = p[1];
        int[] closes = {0};
        DispatcherWithSend d = new DispatcherWithSend(p[0], map) {
            @Override
            public void handleRead() {
            }

            @Override
            public void handleClose() {
                closes[0]++;
                closeWhenDone(); // does not close: the bytes are still queued
            }
        };
        d.send(new byte[4 << 20]);
        assertTrue(d.pendingBytes() > 0);
        peer.setOption(StandardSocketOptions.SO_LINGER, 0);
        peer.close(); // a reset
        RunLoop.until(map, false, d::isClosed);
        assertTrue(closes[0] >= 1, "handleClose was told");
        assertEquals(0, d.pendingBytes(), "the undeliverable bytes were dropped");
    }

    @Test
    void waterMarksCanBeRaisedOrLoweredAndBadOnesAreRefusedWithTheDefaultsNamed() throws IOException {
        SocketChannel[] p = pair();
        try (SocketChannel peer = p[1]) {
            DispatcherWithSend d = new DispatcherWithSend(p[0], map);
            assertEquals(65536, d.highWaterMark());
            assertEquals(16384, d.lowWaterMark());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.setWaterMarks(10, 5));
            assertEquals("water marks need 0 <= low <= high, got low=10, high=5 (the defaults are low=16384, high=65536)", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> d.setWaterMarks(-1, 5));
            d.send(new byte[2 << 20]);
            assertTrue(d.isReadPaused());
            d.setWaterMarks(0, Integer.MAX_VALUE); // no bound: reading resumes at once
            assertFalse(d.isReadPaused());
            assertTrue(d.readable());
            d.setWaterMarks(0, 1024);
            assertTrue(d.isReadPaused());
        }
    }
}
