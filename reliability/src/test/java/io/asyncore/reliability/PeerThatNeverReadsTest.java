package io.asyncore.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.DispatcherWithSend;
import io.asyncore.samples.echo.EchoHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 11, a peer that sends and never reads: it tries to send 256 MiB and reads nothing. An
 * echo server that kept reading would have to hold all of it; the samples' servers stop reading
 * that peer once their queue for it passes the high-water mark, so the peer's writes block once
 * the kernel's buffers are full (TCP flow control) and the server holds a bounded amount.
 *
 * <p>The bounds, per such peer:
 * <ul>
 *   <li>callback ({@code EchoHandler} on {@link DispatcherWithSend}): at most the high-water mark
 *       plus one read queued, {@value DispatcherWithSend#DEFAULT_HIGH_WATER_MARK} +
 *       {@value EchoHandler#READ_SIZE} = 128 KiB ({@code pendingBytes()}), in a buffer of at most
 *       twice that;
 *   <li>coroutine ({@code echo()} on {@code SuspendingSocket}, whose {@code write} suspends above
 *       its 64 KiB high-water mark): at most 64 KiB plus one 8 KiB {@code readUpTo(8192)} queued,
 *       and at most one 64 KiB read held as input, 136 KiB.
 * </ul>
 *
 * <p>The writer is a thread of its own; "stuck" means its count of written bytes has not moved for
 * 2 s, and the server's state is checked while it is. Two ways of measuring:
 * <ul>
 *   <li>the callback server in this JVM: the {@code pendingBytes()} of every dispatcher in its map,
 *       read on its loop thread every few milliseconds from the first byte on;
 *   <li>each style as the real command line in a fresh JVM with {@code -Xmx64m} (256 MiB could not
 *       fit): the live heap from {@code jcmd PID GC.class_histogram} (after a full GC) before the
 *       peer connects and while it is stuck; the growth must stay under 1 MiB, which is the bound
 *       above plus room for the connection's own objects and the histogram's noise. In the mixed
 *       style the server alternates callback and coroutine connections; the warm-up round trip
 *       takes the first, so the peer that never reads is served by a coroutine.
 * </ul>
 * Either way, a fresh client gets an echo round trip while the peer is stuck.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PeerThatNeverReadsTest {
    static final long ATTEMPT = 256L * 1024 * 1024;
    static final int CALLBACK_BOUND = DispatcherWithSend.DEFAULT_HIGH_WATER_MARK + EchoHandler.READ_SIZE;
    static final long HEAP_GROWTH_BOUND = 1024 * 1024;
    static final Duration QUIET = Duration.ofSeconds(2);

    /** Writes up to 256 MiB on a blocking channel, never reading; ends when done or when the channel is closed. */
    static final class NeverReadingPeer implements AutoCloseable {
        final SocketChannel channel;
        final AtomicLong written = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread writer;

        NeverReadingPeer(InetSocketAddress server) throws IOException {
            channel = SocketChannel.open(server);
            writer = new Thread(() -> {
                ByteBuffer chunk = ByteBuffer.allocate(65536);
                try {
                    while (written.get() < ATTEMPT) {
                        chunk.clear();
                        written.addAndGet(channel.write(chunk));
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "never-reading peer");
            writer.setDaemon(true);
            writer.start();
        }

        /** Fails if the writer ended: it wrote everything (nobody stopped the server reading) or the connection failed. */
        void assertStillWriting() {
            assertTrue(writer.isAlive(), () -> "the never-reading peer's writer ended after " + written.get() + " bytes"
                    + (failure.get() == null ? "" : ": " + failure.get()));
        }

        @Override
        public void close() throws Exception {
            channel.close(); // unblocks the writer
            writer.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    @Test
    void theCallbackServerQueuesAtMostTheHighWaterMarkPlusOneReadForAPeerThatNeverReadsAndServesOthers() throws Exception {
        try (InProcessEchoServer server = InProcessEchoServer.start("callback")) {
            long[] maxPending = {0};
            try (NeverReadingPeer peer = new NeverReadingPeer(server.address())) {
                Await.Stalled stalled = new Await.Stalled(peer.written::get, QUIET);
                Await.until("the never-reading peer's writes block", Duration.ofSeconds(60), () -> {
                    maxPending[0] = Math.max(maxPending[0], maxPending(server));
                    assertTrue(maxPending[0] <= CALLBACK_BOUND, "the server queued " + maxPending[0] + " bytes for one peer; bound "
                            + CALLBACK_BOUND + " (after the peer wrote " + peer.written.get() + ")");
                    peer.assertStillWriting();
                    return stalled.getAsBoolean();
                }, () -> "the peer wrote " + peer.written.get() + " bytes");
                long writtenWhenStuck = peer.written.get();
                assertEquals(List.of(true), server.onLoop(map -> map.dispatchers().stream()
                        .filter(d -> d instanceof DispatcherWithSend s && s.pendingBytes() > 0)
                        .map(d -> ((DispatcherWithSend) d).isReadPaused()).toList()), "the peer's handler has stopped reading");

                Duration roundTrip = RoundTrip.echo(server.address(), 1024);

                long pendingAfter = maxPending(server);
                assertTrue(pendingAfter <= CALLBACK_BOUND, "queued after the round trip: " + pendingAfter);
                assertEquals(writtenWhenStuck, peer.written.get(), "the peer is still stuck");
                peer.assertStillWriting();
                assertTrue(writtenWhenStuck < ATTEMPT, "the peer got only " + writtenWhenStuck + " of " + ATTEMPT + " bytes out");
                System.out.printf("reliability: callback echo server in process, peer that never reads: it wrote %d of %d bytes and "
                                + "stuck; the server queued at most %d bytes for it (bound %d); another client's round trip took %d ms%n",
                        writtenWhenStuck, ATTEMPT, maxPending[0], CALLBACK_BOUND, roundTrip.toMillis());
            }
            Await.until("the server closes the peer's connection after it goes", Duration.ofSeconds(30),
                    () -> dispatchers(server) == 1, () -> dispatchers(server) + " dispatchers in the map");
        }
    }

    @ParameterizedTest(name = "{0} style")
    @ValueSource(strings = {"callback", "coroutine", "mixed"})
    void aPeerThatNeverReadsLeavesTheLiveHeapOfA64MegabyteServerFlatAndOthersAreServed(String style) throws Exception {
        try (EchoServerProcess server = EchoServerProcess.start(style, "-Xmx64m")) {
            RoundTrip.echo(server.address(), 1024); // loads what a connection needs before the baseline
            long baseline = server.liveHeapBytes();
            try (NeverReadingPeer peer = new NeverReadingPeer(server.address())) {
                Await.Stalled stalled = new Await.Stalled(peer.written::get, QUIET);
                Await.until("the never-reading peer's writes block", Duration.ofSeconds(60), () -> {
                    server.assertHealthy();
                    peer.assertStillWriting();
                    return stalled.getAsBoolean();
                }, () -> "the peer wrote " + peer.written.get() + " bytes");
                long writtenWhenStuck = peer.written.get();
                long stuck = server.liveHeapBytes();

                Duration roundTrip = RoundTrip.echo(server.address(), 1024);

                server.assertHealthy();
                peer.assertStillWriting();
                assertEquals(writtenWhenStuck, peer.written.get(), "the peer is still stuck");
                assertTrue(writtenWhenStuck < ATTEMPT, "the peer got only " + writtenWhenStuck + " of " + ATTEMPT + " bytes out");
                assertTrue(stuck - baseline <= HEAP_GROWTH_BOUND, "live heap " + baseline + " bytes before the peer, " + stuck
                        + " while it is stuck: grew by " + (stuck - baseline) + ", bound " + HEAP_GROWTH_BOUND);
                System.out.printf("reliability: %s echo server (-Xmx64m), peer that never reads: it wrote %d of %d bytes and stuck; "
                                + "live heap %d -> %d bytes (%+d); another client's round trip took %d ms%n",
                        style, writtenWhenStuck, ATTEMPT, baseline, stuck, stuck - baseline, roundTrip.toMillis());
            }
        }
    }

    /** The largest {@code pendingBytes()} among the map's dispatchers, read on the loop thread. */
    private static int maxPending(InProcessEchoServer server) {
        try {
            return server.onLoop(map -> map.dispatchers().stream()
                    .filter(d -> d instanceof DispatcherWithSend)
                    .mapToInt(d -> ((DispatcherWithSend) d).pendingBytes())
                    .max().orElse(0));
        } catch (Exception e) {
            throw new AssertionError("reading the server's dispatchers", e);
        }
    }

    private static int dispatchers(InProcessEchoServer server) {
        try {
            return server.onLoop(map -> map.dispatchers().size());
        } catch (Exception e) {
            throw new AssertionError("reading the server's dispatchers", e);
        }
    }
}
