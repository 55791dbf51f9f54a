package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A JVM Error in a handler, task or timer leaves the loop, but never without a word naming where. */
@Timeout(30)
class FatalErrorTest {
    private final SocketMap map = new SocketMap();

    @AfterEach
    void tearDown() {
        map.close();
    }

    @Test
    void anOutOfMemoryErrorInAReadHandlerIsLoggedWithTheDispatcherAndPropagates() throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                SocketChannel peer = SocketChannel.open(listener.getLocalAddress());
                LogCapture log = new LogCapture()) {
            OutOfMemoryError oom = new OutOfMemoryError("Java heap space (thrown by the test)");
            int[] errorsHandled = {0};
            Dispatcher d = new Dispatcher(listener.accept(), map) {
                @Override
                public boolean writable() {
                    return false;
                }

                @Override
                public void handleRead() {
                    throw oom;
                }

                @Override
                public void handleError(Throwable error) {
                    errorsHandled[0]++;
                }

                @Override
                public String toString() {
                    return "the-greedy-handler";
                }
            };
            peer.write(ByteBuffer.wrap(new byte[] {1}));
            OutOfMemoryError thrown = assertThrows(OutOfMemoryError.class, () -> Asyncore.loop(Duration.ofSeconds(5), false, map));
            assertSame(oom, thrown, "the error itself propagates out of the loop");
            assertEquals(0, errorsHandled[0], "an Error is not handed to handleError");
            List<LogRecord> errors = log.records().stream().filter(r -> r.getLevel() == Level.SEVERE).toList();
            assertEquals(1, errors.size(), "one ERROR line: " + log.messages());
            String message = errors.get(0).getMessage();
            assertTrue(message.startsWith("the read event of the-greedy-handler threw java.lang.OutOfMemoryError: Java heap space"), message);
            assertTrue(message.contains("the error leaves the loop"), message);
            assertSame(oom, errors.get(0).getThrown());
            assertTrue(map.dispatchers().contains(d), "the dispatchers are left as they were");
        }
    }

    @Test
    void anErrorInAWriteHandlerNamesTheWriteEvent() throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                SocketChannel peer = SocketChannel.open(listener.getLocalAddress());
                LogCapture log = new LogCapture()) {
            new Dispatcher(listener.accept(), map) {
                @Override
                public boolean readable() {
                    return false;
                }

                @Override
                public void handleWrite() {
                    throw new StackOverflowError();
                }

                @Override
                public String toString() {
                    return "writer";
                }
            };
            assertThrows(StackOverflowError.class, () -> Asyncore.loop(Duration.ofSeconds(5), false, map));
            assertTrue(log.messages().stream().anyMatch(m -> m.startsWith("the write event of writer threw java.lang.StackOverflowError")),
                    log.messages().toString());
            assertTrue(peer.isOpen());
        }
    }

    @Test
    void anErrorInATaskIsLoggedWithTheTaskAndPropagates() {
        try (LogCapture log = new LogCapture()) {
            Runnable task = new Runnable() {
                @Override
                public void run() {
                    throw new AssertionError("boom");
                }

                @Override
                public String toString() {
                    return "the-failing-task";
                }
            };
            map.execute(task);
            assertThrows(AssertionError.class, () -> map.runPass(Duration.ofSeconds(1), false));
            assertTrue(log.messages().stream().anyMatch(m -> m.startsWith("a task on the loop (the-failing-task) threw java.lang.AssertionError: boom")),
                    log.messages().toString());
        }
    }

    @Test
    void aHandlerWhoseToStringThrowsIsStillNamedByItsClass() throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                SocketChannel peer = SocketChannel.open(listener.getLocalAddress());
                LogCapture log = new LogCapture()) {
            new BrokenName(listener.accept(), map);
            peer.write(ByteBuffer.wrap(new byte[] {1}));
            assertThrows(InternalError.class, () -> Asyncore.loop(Duration.ofSeconds(5), false, map));
            assertTrue(log.messages().stream().anyMatch(m -> m.startsWith("the read event of " + BrokenName.class.getName() + " threw")),
                    log.messages().toString());
        }
    }

    static final class BrokenName extends Dispatcher {
        BrokenName(SocketChannel sock, SocketMap map) {
            super(sock, map);
        }

        @Override
        public boolean writable() {
            return false;
        }

        @Override
        public void handleRead() {
            throw new InternalError("broken");
        }

        @Override
        public String toString() {
            throw new IllegalStateException("no name");
        }
    }
}
