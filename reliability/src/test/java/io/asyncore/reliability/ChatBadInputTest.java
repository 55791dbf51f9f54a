package io.asyncore.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.Dispatcher;
import io.asyncore.SocketMap;
import io.asyncore.TimerHandle;
import io.asyncore.chat.AsyncChat;
import io.asyncore.chat.MessageTooLargeException;
import io.asyncore.testing.RunLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A line server on AsyncChat fed hostile input: random bytes, a stream that never holds the
 * terminator, an oversized line, a slow-loris peer. Memory stays bounded by the incoming limit,
 * and the channel closes with a clear error when a limit is hit.
 */
@Timeout(120)
class ChatBadInputTest {
    /** Counts lines; reports how its connection ended. */
    static final class LineHandler extends AsyncChat {
        static final Duration LINE_DEADLINE = Duration.ofMillis(500);

        final CompletableFuture<Throwable> ended;
        final AtomicLong lines;
        private TimerHandle deadline;

        LineHandler(SocketChannel sock, SocketMap map, CompletableFuture<Throwable> ended, AtomicLong lines) {
            super(sock, map);
            this.ended = ended;
            this.lines = lines;
            setTerminator("\r\n");
            armDeadline();
        }

        /** A whole line must arrive within the deadline: a slow-loris peer is cut off. */
        private void armDeadline() {
            if (deadline != null) {
                deadline.cancel();
            }
            deadline = map().callLater(LINE_DEADLINE, () -> {
                if (!isClosed()) {
                    handleError(new SocketTimeoutException("no complete line within " + LINE_DEADLINE.toMillis() + " ms"));
                }
            });
        }

        @Override
        public void foundTerminator() throws IOException {
            takeIncomingData();
            lines.incrementAndGet();
            armDeadline();
            push("ok\r\n");
        }

        @Override
        public void handleError(Throwable error) {
            ended.complete(error);
            close();
        }

        @Override
        public void handleClose() {
            ended.complete(null);
            close();
        }

        @Override
        public void close() {
            if (deadline != null) {
                deadline.cancel();
            }
            super.close();
        }
    }

    private record Harness(BackgroundLoop loop, SocketAddress address, CompletableFuture<Throwable> ended, AtomicLong lines)
            implements AutoCloseable {
        @Override
        public void close() throws Exception {
            loop.close();
        }
    }

    private static Harness server() throws Exception {
        BackgroundLoop loop = new BackgroundLoop("line-server");
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        AtomicLong lines = new AtomicLong();
        SocketAddress address = loop.call(() -> {
            Dispatcher listener = new Dispatcher(loop.map) {
                @Override
                public void handleAccepted(SocketChannel sock, SocketAddress addr) {
                    new LineHandler(sock, map(), ended, lines);
                }
            };
            listener.createSocket();
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            listener.listen(5);
            return ((ServerSocketChannel) listener.socket()).getLocalAddress();
        });
        return new Harness(loop, address, ended, lines);
    }

    /** Writes until done or the server closes on us; returns the bytes written. */
    private static long writeUntilClosed(SocketChannel c, ByteBuffer data) {
        long written = 0;
        try {
            while (data.hasRemaining()) {
                written += c.write(data);
            }
        } catch (IOException closedByServer) {
            // expected once the server gives up on us
        }
        return written;
    }

    @Test
    void aStreamThatNeverHoldsTheTerminatorIsCutOffAtTheIncomingLimit() throws Exception {
        try (Harness h = server(); SocketChannel c = SocketChannel.open(h.address())) {
            byte[] noTerminator = new byte[(int) AsyncChat.DEFAULT_MAX_INCOMING_SIZE + (1 << 20)];
            java.util.Arrays.fill(noTerminator, (byte) 'x');
            CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() -> writeUntilClosed(c, ByteBuffer.wrap(noTerminator)));
            Throwable error = h.ended().get(60, TimeUnit.SECONDS);
            MessageTooLargeException tooLarge = assertInstanceOf(MessageTooLargeException.class, error);
            assertEquals(AsyncChat.DEFAULT_MAX_INCOMING_SIZE, tooLarge.limit());
            assertTrue(tooLarge.getMessage().contains("setMaxIncomingSize"), tooLarge.getMessage());
            writer.get(60, TimeUnit.SECONDS);
            assertEquals(0, h.lines().get());
        }
    }

    @Test
    void anOversizedLineAfterGoodOnesIsCutOffAndTheGoodOnesWereServed() throws Exception {
        try (Harness h = server(); SocketChannel c = SocketChannel.open(h.address())) {
            ByteBuffer good = ByteBuffer.wrap("hello\r\nworld\r\n".getBytes());
            c.write(good);
            byte[] huge = new byte[(int) AsyncChat.DEFAULT_MAX_INCOMING_SIZE * 2];
            java.util.Arrays.fill(huge, (byte) 'y');
            CompletableFuture.runAsync(() -> writeUntilClosed(c, ByteBuffer.wrap(huge)));
            assertInstanceOf(MessageTooLargeException.class, h.ended().get(60, TimeUnit.SECONDS));
            assertEquals(2, h.lines().get());
        }
    }

    @Test
    void randomBytesAreFramedWithoutFailureAndMemoryStaysWithinTheLimit() throws Exception {
        try (Harness h = server(); SocketChannel c = SocketChannel.open(h.address())) {
            Random rnd = new Random(42);
            byte[] junk = new byte[8 << 20];
            rnd.nextBytes(junk);
            long expectedLines = 0;
            for (int i = 0; i + 1 < junk.length; i++) {
                if (junk[i] == '\r' && junk[i + 1] == '\n') {
                    expectedLines++;
                    i++;
                }
            }
            // Random bytes hold a CRLF every 64 KiB or so: far below the 4 MiB limit.
            c.configureBlocking(true);
            CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() -> writeUntilClosed(c, ByteBuffer.wrap(junk)));
            ByteBuffer replies = ByteBuffer.allocate(1 << 16);
            long okBytes = 0;
            while (okBytes < expectedLines * 4) {
                int n = c.read(replies.clear());
                if (n < 0) {
                    break;
                }
                okBytes += n;
            }
            assertEquals(junk.length, writer.get(60, TimeUnit.SECONDS));
            assertEquals(expectedLines, h.lines().get());
            assertEquals(expectedLines * 4, okBytes, "one ok\\r\\n per line");
            c.shutdownOutput();
            assertEquals(null, h.ended().get(30, TimeUnit.SECONDS), "a clean close at the end");
        }
    }

    @Test
    void aSlowLorisPeerIsCutOffByTheLineDeadlineHavingSentAlmostNothing() throws Exception {
        try (Harness h = server(); SocketMap clientMap = new SocketMap()) {
            AtomicLong sent = new AtomicLong();
            // One byte every 100 ms, from the client loop's own timers: no sleeping.
            Dispatcher loris = new Dispatcher(clientMap) {
                @Override
                public boolean writable() {
                    return false;
                }

                @Override
                public void handleConnect() {
                    drip();
                }

                private void drip() {
                    map().callLater(Duration.ofMillis(100), () -> {
                        if (isClosed()) {
                            return;
                        }
                        try {
                            sent.addAndGet(send(new byte[] {'z'}));
                        } catch (IOException e) {
                            close();
                            return;
                        }
                        drip();
                    });
                }

                @Override
                public void handleRead() throws IOException {
                    recv(100);
                }

                @Override
                public void handleClose() {
                    close();
                }
            };
            loris.createSocket();
            loris.connect(h.address());
            RunLoop.until(clientMap, false, loris::isClosed, Duration.ofSeconds(120));
            Throwable error = h.ended().get(30, TimeUnit.SECONDS);
            assertInstanceOf(SocketTimeoutException.class, error);
            assertTrue(error.getMessage().contains("no complete line within"), error.getMessage());
            assertTrue(sent.get() < 20, "the loris got to send " + sent.get() + " bytes");
        }
    }
}
