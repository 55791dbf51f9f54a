package io.asyncore.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.Dispatcher;
import io.asyncore.SocketMap;
import io.asyncore.TimerHandle;
import io.asyncore.VirtualClock;
import io.asyncore.testing.RunLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A chat server's line deadline of 30 seconds cuts off a slow-loris peer that sends one byte every
 * 5 seconds: minutes on a real clock, milliseconds on a virtual one. Real sockets carry the bytes.
 */
@Timeout(5)
class SlowLorisVirtualTimeTest {
    private static final Duration LINE_DEADLINE = Duration.ofSeconds(30);

    /** Answers each line; a line must be complete within LINE_DEADLINE of the previous one. */
    static final class LineHandler extends AsyncChat {
        final AtomicReference<Throwable> ended;
        private TimerHandle deadline;

        LineHandler(SocketChannel sock, SocketMap map, AtomicReference<Throwable> ended) {
            super(sock, map);
            this.ended = ended;
            setTerminator("\r\n");
            armDeadline();
        }

        private void armDeadline() {
            if (deadline != null) {
                deadline.cancel();
            }
            deadline = map().callLater(LINE_DEADLINE, () -> handleError(
                    new SocketTimeoutException("no complete line within " + LINE_DEADLINE.toSeconds() + " s")));
        }

        @Override
        public void foundTerminator() throws IOException {
            takeIncomingData();
            armDeadline();
            push("ok\r\n");
        }

        @Override
        public void handleError(Throwable error) {
            ended.compareAndSet(null, error);
            close();
        }
    }

    @Test
    void aSlowLorisIsCutOffAtTheLineDeadlineInVirtualTime() throws IOException {
        VirtualClock clock = new VirtualClock();
        try (SocketMap map = new SocketMap(clock)) {
            AtomicReference<Throwable> ended = new AtomicReference<>();
            Dispatcher server = new Dispatcher(map) {
                @Override
                public void handleAccepted(SocketChannel sock, SocketAddress addr) {
                    new LineHandler(sock, map, ended);
                }
            };
            server.createSocket();
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            server.listen(5);
            int[] sent = {0};
            Dispatcher loris = new Dispatcher(map) {
                @Override
                public boolean writable() {
                    return false;
                }

                @Override
                public void handleConnect() {
                    drip();
                }

                private void drip() {
                    map().callLater(Duration.ofSeconds(5), () -> {
                        if (!isClosed()) {
                            try {
                                sent[0] += send(new byte[] {'z'});
                            } catch (IOException e) {
                                close();
                                return;
                            }
                            drip();
                        }
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
            loris.connect(((java.nio.channels.ServerSocketChannel) server.socket()).getLocalAddress());
            RunLoop.until(map, () -> map.size() == 3); // listener, loris, its handler: the deadline is armed

            long start = System.nanoTime();
            clock.advance(Duration.ofMinutes(2));
            RunLoop.until(map, loris::isClosed);

            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "virtual minutes, real milliseconds");
            assertInstanceOf(SocketTimeoutException.class, ended.get());
            assertEquals(6, sent[0], "one byte every 5 s up to the cut-off at 30 s (the last in the same step)");
        }
    }
}
