package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.testing.RunLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Misuse fails at once with a message that says what was wrong and what to do. */
@Timeout(30)
class BadInputTest {
    private final SocketMap map = new SocketMap();

    @AfterEach
    void tearDown() {
        map.close();
    }

    private static void assertMentions(Throwable e, String... words) {
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "message should mention '" + w + "': " + e.getMessage());
        }
    }

    @Test
    void listenBeforeBindIsRefused() throws IOException {
        Dispatcher d = new Dispatcher(map);
        d.createSocket();
        assertMentions(assertThrows(IllegalStateException.class, () -> d.listen(5)), "listen() before bind()", "port 0");
    }

    @Test
    void aNegativeBufferSizeIsRefused() throws IOException {
        Dispatcher d = new Dispatcher(map);
        d.createSocket();
        assertMentions(assertThrows(IllegalArgumentException.class, () -> d.recv(-1)), "bufferSize < 0: -1");
    }

    @Test
    void sendingOnAClosedDispatcherIsRefused() throws IOException {
        Dispatcher d = new Dispatcher(map);
        d.createSocket();
        d.close();
        assertMentions(assertThrows(IllegalStateException.class, () -> d.send(new byte[] {1})), "send()", "closed");
        DispatcherWithSend w = new DispatcherWithSend(map);
        w.createSocket();
        w.close();
        assertMentions(assertThrows(IllegalStateException.class, () -> w.send(new byte[] {1})), "send()", "closed");
        assertMentions(assertThrows(IllegalStateException.class, () -> d.recv(1)), "recv()", "closed");
    }

    @Test
    void usingADispatcherWithoutASocketSaysToCreateOne() {
        Dispatcher d = new Dispatcher(map);
        assertMentions(assertThrows(IllegalStateException.class, () -> d.send(new byte[] {1})), "createSocket()");
        assertMentions(assertThrows(IllegalStateException.class, () -> d.bind(new InetSocketAddress(0))), "createSocket()");
    }

    @Test
    void aBlockingChannelHandedToTheLoopIsRefused() throws IOException {
        try (SocketChannel blocking = SocketChannel.open()) {
            Dispatcher d = new Dispatcher(map);
            assertMentions(assertThrows(IllegalArgumentException.class, () -> d.setSocket(blocking)),
                    "blocking mode", "configureBlocking(false)");
            assertEquals(0, map.size());
        }
    }

    @Test
    void theConstructorSwitchesAGivenChannelToNonBlocking() throws IOException {
        try (SocketChannel ch = SocketChannel.open()) {
            new Dispatcher(ch, map);
            assertTrue(!ch.isBlocking());
        }
    }

    @Test
    void acceptOnADispatcherThatIsNotListeningIsRefused() throws IOException {
        Dispatcher d = new Dispatcher(map);
        d.createSocket();
        assertMentions(assertThrows(IllegalStateException.class, d::accept), "not listening");
    }

    @Test
    void listenOnADatagramSocketIsRefused() throws IOException {
        Dispatcher d = new Dispatcher(map);
        d.createSocket(StandardProtocolFamily.INET, SocketType.DATAGRAM);
        d.bind(new InetSocketAddress("127.0.0.1", 0));
        assertMentions(assertThrows(IllegalStateException.class, () -> d.listen(5)), "datagram");
    }

    @Test
    void negativeTimeoutsCountsAndDelaysAreRefused() {
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> Asyncore.loop(Duration.ofSeconds(-1), false, map)), "timeout < 0");
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> Asyncore.loop(Duration.ZERO, false, map, -1)), "count < 0: -1");
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> map.callLater(Duration.ofMillis(-5), () -> { })), "delay < 0");
    }

    @Test
    void touchingTheMapFromAnotherThreadWhileItsLoopRunsIsRefused() throws Exception {
        Dispatcher idle = Servers.idle(map);
        CompletableFuture<Void> started = new CompletableFuture<>();
        map.execute(() -> started.complete(null));
        CompletableFuture<Throwable> loop = CompletableFuture.supplyAsync(() -> {
            try {
                Asyncore.loop(Duration.ofSeconds(20), false, map);
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        started.get(10, TimeUnit.SECONDS);
        assertMentions(assertThrows(IllegalStateException.class, () -> new Dispatcher(map).createSocket()),
                "map.execute");
        assertMentions(assertThrows(IllegalStateException.class, () -> Asyncore.poll(Duration.ZERO, map)),
                "already run by thread");
        map.execute(() -> {
            throw new ExitNow("stop");
        });
        assertTrue(loop.get(10, TimeUnit.SECONDS) instanceof ExitNow);
    }

    @Test
    void runningTheLoopFromInsideOneOfItsHandlersIsRefused() throws IOException {
        Throwable[] seen = new Throwable[1];
        Dispatcher d = new Dispatcher(map) {
            @Override
            public boolean readable() {
                return false;
            }

            @Override
            public void handleWrite() {
                try {
                    Asyncore.poll(Duration.ZERO, map);
                } catch (IllegalStateException e) {
                    seen[0] = e;
                }
                close();
            }

            @Override
            public void handleConnect() {
            }
        };
        try (var server = java.nio.channels.ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            d.createSocket();
            d.connect(server.getLocalAddress());
            RunLoop.until(map, false, d::isClosed);
        }
        assertMentions(seen[0], "inside one of its own handlers");
    }
}
