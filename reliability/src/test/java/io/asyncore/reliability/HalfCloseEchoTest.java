package io.asyncore.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 11, flush then close: a client sends 12 MiB, reads nothing for 3 s, then half-closes
 * (shuts down its output once everything is written). It must receive all 12 MiB, byte for byte,
 * and then end of stream: the server finishes the echo it holds before it closes.
 *
 * <p>The writer is a thread of its own, since its writes block once the kernel's buffers and the
 * server's queue are full (the server stops reading at its high-water mark); it half-closes as
 * soon as its last write returns. Whether that happened before the 3 s were over (then the whole
 * echo was still in flight when the server saw end of stream) is printed. The server runs in this
 * JVM ({@link InProcessEchoServer}); the 3 s pause is the scenario's, the only fixed wait.
 *
 * <p>What it can catch: the failure, an unbounded queue dropped at end of stream (a
 * handler with the water marks off whose {@code handleClose} calls {@code close()} gave back
 * 4.2 MB of the 12 MiB, in 3 of 3 runs). What it cannot: with the water marks on, the server
 * reads end of stream only while the client drains its echo, so its queue is nearly always
 * empty by then, and a {@code close()} at end of stream passed 3 of 3 runs. That
 * {@code closeWhenDone()} sends a non-empty queue before closing is pinned by the core's unit
 * tests ({@code WaterMarksTest}).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HalfCloseEchoTest {
    static final int BYTES = 12 * 1024 * 1024;
    static final Duration NO_READ = Duration.ofSeconds(3);

    @ParameterizedTest(name = "{0} style")
    @ValueSource(strings = {"callback", "coroutine", "mixed"})
    void aPeerThatHalfClosesWithTwelveMegabytesUnreadGetsThemAllBackThenEndOfStream(String style) throws Exception {
        try (InProcessEchoServer server = InProcessEchoServer.start(style)) {
            System.out.printf("reliability: %s echo server, half-close: %s%n", style, sendHalfCloseAndReadBack(server.address()));
        }
    }

    /**
     * The scenario against the echo server at {@code server}; returns what it measured.
     *
     * @throws AssertionError if any byte is missing or wrong, or end of stream does not follow
     */
    static String sendHalfCloseAndReadBack(java.net.InetSocketAddress server) throws Exception {
        byte[] payload = new byte[BYTES];
        new Random(12).nextBytes(payload);
        try (Socket socket = new Socket()) {
            socket.connect(server, 10_000);
            AtomicLong written = new AtomicLong();
            AtomicLong halfClosedAt = new AtomicLong();
            AtomicReference<Throwable> writeFailure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    for (int off = 0; off < BYTES; off += 65536) {
                        int n = Math.min(65536, BYTES - off);
                        out.write(payload, off, n);
                        written.addAndGet(n);
                    }
                    socket.shutdownOutput();
                    halfClosedAt.set(System.nanoTime());
                } catch (Throwable t) {
                    writeFailure.set(t);
                }
            }, "half-close writer");
            writer.setDaemon(true);
            long start = System.nanoTime();
            writer.start();

            Thread.sleep(NO_READ.toMillis()); // the scenario: the client reads nothing for 3 s
            long writtenBeforeReading = written.get();
            boolean halfClosedBeforeReading = halfClosedAt.get() != 0;

            socket.setSoTimeout(30_000); // a read that waits this long fails the test
            InputStream in = socket.getInputStream();
            byte[] back = new byte[BYTES];
            int got = 0;
            while (got < BYTES) {
                int n = in.read(back, got, BYTES - got);
                if (n < 0) {
                    throw new AssertionError("end of stream after " + got + " of " + BYTES + " echoed bytes (the writer wrote "
                            + written.get() + (halfClosedAt.get() != 0 ? " and half-closed" : "") + ")");
                }
                got += n;
            }
            assertEquals(-1, in.read(), "end of stream right after the last echoed byte");
            long took = System.nanoTime() - start;
            assertTrue(Arrays.equals(payload, back), "the echo is byte for byte what was sent (first difference at "
                    + Arrays.mismatch(payload, back) + ")");
            writer.join(TimeUnit.SECONDS.toMillis(30));
            assertNull(writeFailure.get(), "the writer's failure");
            assertTrue(halfClosedAt.get() != 0, "the writer half-closed");

            return String.format("%d bytes back byte for byte, then end of stream, %d ms in all (3 s without reading: "
                            + "%d bytes written by then, half-closed %s)", got, TimeUnit.NANOSECONDS.toMillis(took), writtenBeforeReading,
                    halfClosedBeforeReading ? "before the client read a byte" : "after the client began reading");
        }
    }
}
