package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.chat.AsyncChat;
import io.asyncore.testing.RunLoop;
import io.asyncore.testing.SocketPairs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Peers that misbehave and handlers that fail: the loop keeps serving, the right handler runs, nothing leaks. */
@Timeout(60)
class FaultsTest {
    private final SocketMap map = new SocketMap();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        map.close();
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private ServerSocketChannel listener() throws IOException {
        ServerSocketChannel l = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 50);
        toClose.add(l);
        return l;
    }

    /** [0] the accepted side (for a dispatcher), [1] the connecting side; both closed after the test. */
    private SocketChannel[] pair() throws IOException {
        SocketChannel[] p = SocketPairs.loopback();
        toClose.add(p[0]);
        toClose.add(p[1]);
        return new SocketChannel[] {p[1], p[0]};
    }

    private static void reset(SocketChannel peer) throws IOException {
        peer.setOption(StandardSocketOptions.SO_LINGER, 0);
        peer.close();
    }

    /** Records which of handleClose/handleError ran. */
    static class Recording extends DispatcherWithSend {
        final List<String> events = new ArrayList<>();

        Recording(SocketChannel sock, SocketMap map) {
            super(sock, map);
        }

        @Override
        public void handleRead() throws IOException {
            recv(65536);
        }

        @Override
        public void handleClose() {
            events.add("handleClose");
            close();
        }

        @Override
        public void handleError(Throwable error) {
            events.add("handleError " + error);
            close();
        }
    }

    @Test
    void aPeerResetDuringAReadReachesHandleCloseNotHandleError() throws IOException {
        SocketChannel[] p = pair();
        Recording d = new Recording(p[0], map);
        Asyncore.poll(Duration.ZERO, map);
        reset(p[1]);
        RunLoop.until(map, false, d::isClosed);
        assertEquals(List.of("handleClose"), d.events);
    }

    @Test
    void aPeerResetDuringAWriteReachesHandleCloseAndOtherConnectionsGoOn() throws IOException {
        SocketChannel[] victim = pair();
        SocketChannel[] bystander = pair();
        Recording writer = new Recording(victim[0], map) {
            @Override
            public boolean readable() {
                return false;
            }
        };
        writer.send(new byte[8 << 20]); // far more than the socket buffers hold
        Recording other = new Recording(bystander[0], map);
        assertTrue(writer.pendingBytes() > 0);
        victim[1].read(ByteBuffer.allocate(1000));
        reset(victim[1]);
        RunLoop.until(map, false, writer::isClosed);
        assertEquals(List.of("handleClose"), writer.events);
        bystander[1].write(ByteBuffer.wrap("still here".getBytes(StandardCharsets.US_ASCII)));
        other.send("pong".getBytes(StandardCharsets.US_ASCII));
        ByteBuffer got = ByteBuffer.allocate(4);
        bystander[1].read(got);
        assertEquals("pong", new String(got.array(), StandardCharsets.US_ASCII));
        assertFalse(other.isClosed());
    }

    @Test
    void aListenerClosedWithConnectionsInItsBacklogResetsThemAndTheClientsSeeAClose() throws IOException {
        ServerSocketChannel l = listener();
        List<Recording> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Recording c = new Recording(null, map) {
                @Override
                public void handleConnect() {
                }

                @Override
                public boolean writable() {
                    return !isConnected();
                }
            };
            c.createSocket();
            c.connect(l.getLocalAddress());
            clients.add(c);
        }
        RunLoop.until(map, false, () -> clients.stream().allMatch(Dispatcher::isConnected));
        l.close(); // never accepted: the kernel resets them
        RunLoop.until(map, false, map::isEmpty);
        for (Recording c : clients) {
            assertEquals(List.of("handleClose"), c.events);
        }
    }

    @Test
    void aPeerThatShutsDownItsOutputStillReceivesTheReply() throws IOException {
        SocketChannel[] p = pair();
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        DispatcherWithSend d = new DispatcherWithSend(p[0], map) {
            private boolean sawEnd;

            @Override
            public boolean readable() {
                return !sawEnd;
            }

            @Override
            public void handleRead() throws IOException {
                request.writeBytes(recv(100));
            }

            @Override
            public void handleClose() {
                // The peer finished sending; answer, then close once the answer is out.
                sawEnd = true;
                try {
                    send(("got " + request.size() + " bytes").getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                if (pendingBytes() == 0) {
                    close();
                }
            }

            @Override
            public void handleWrite() throws IOException {
                super.handleWrite();
                if (sawEnd && pendingBytes() == 0) {
                    close();
                }
            }
        };
        p[1].write(ByteBuffer.wrap(new byte[250]));
        p[1].shutdownOutput();
        RunLoop.until(map, false, d::isClosed);
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(64);
        while (p[1].read(b.clear()) > 0) {
            reply.write(b.array(), 0, b.position());
        }
        assertEquals("got 250 bytes", reply.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void afterShuttingDownOurOutputWeStillReceiveThePeersData() throws IOException {
        SocketChannel[] p = pair();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        Dispatcher d = new Dispatcher(p[0], map) {
            @Override
            public boolean writable() {
                return false;
            }

            @Override
            public void handleRead() throws IOException {
                got.writeBytes(recv(100));
            }

            @Override
            public void handleClose() {
                close();
            }
        };
        ((SocketChannel) d.socket()).shutdownOutput();
        assertEquals(-1, p[1].read(ByteBuffer.allocate(1)), "the peer sees our end of stream");
        p[1].write(ByteBuffer.wrap("late words".getBytes(StandardCharsets.US_ASCII)));
        p[1].close();
        RunLoop.until(map, false, d::isClosed);
        assertEquals("late words", got.toString(StandardCharsets.US_ASCII));
    }

    @ParameterizedTest
    @ValueSource(strings = {"handleRead", "handleWrite", "handleConnect", "handleAccepted"})
    void aHandlerThatThrowsIsClosedAndTheLoopServesTheOthers(String which) throws IOException {
        AtomicInteger echoed = new AtomicInteger();
        // A healthy echo connection that must keep working throughout.
        SocketChannel[] healthy = pair();
        new DispatcherWithSend(healthy[0], map) {
            @Override
            public void handleRead() throws IOException {
                byte[] data = recv(100);
                echoed.addAndGet(data.length);
                send(data);
            }
        };
        List<Throwable> errors = new ArrayList<>();
        class Thrower extends Dispatcher {
            Thrower(SocketChannel sock) {
                super(sock, map);
            }

            Thrower() {
                super(map);
            }

            private void maybeThrow(String handler) {
                if (handler.equals(which)) {
                    throw new IllegalStateException(handler + " failed");
                }
            }

            @Override
            public void handleRead() throws IOException {
                maybeThrow("handleRead");
                recv(100);
            }

            @Override
            public void handleWrite() {
                maybeThrow("handleWrite");
            }

            @Override
            public void handleConnect() {
                maybeThrow("handleConnect");
            }

            @Override
            public void handleAccepted(SocketChannel sock, SocketAddress addr) throws IOException {
                toClose.add(sock);
                maybeThrow("handleAccepted");
            }

            @Override
            public void handleError(Throwable error) {
                errors.add(error);
                close();
            }
        }
        Thrower thrower;
        SocketChannel peer = null;
        switch (which) {
            case "handleAccepted" -> {
                thrower = new Thrower();
                thrower.createSocket();
                thrower.bind(new InetSocketAddress("127.0.0.1", 0));
                thrower.listen(5);
                peer = SocketChannel.open(((ServerSocketChannel) thrower.socket()).getLocalAddress());
            }
            case "handleConnect" -> {
                thrower = new Thrower();
                thrower.createSocket();
                thrower.connect(listener().getLocalAddress());
            }
            default -> {
                SocketChannel[] p = pair();
                thrower = new Thrower(p[0]);
                peer = p[1];
                peer.write(ByteBuffer.wrap(new byte[] {1}));
            }
        }
        if (peer != null) {
            toClose.add(peer);
        }
        Thrower t = thrower;
        RunLoop.until(map, false, t::isClosed);
        assertEquals(1, errors.size());
        assertEquals(which + " failed", errors.get(0).getMessage());
        healthy[1].write(ByteBuffer.wrap(new byte[] {9, 8, 7}));
        ByteBuffer back = ByteBuffer.allocate(3);
        healthy[1].configureBlocking(false);
        RunLoop.until(map, false, () -> {
            try {
                healthy[1].read(back);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return !back.hasRemaining();
        });
        assertArrayEquals(new byte[] {9, 8, 7}, back.array());
    }

    @Test
    void aFoundTerminatorThatThrowsClosesItsChannelAndTheOthersKeepChatting() throws IOException {
        List<Throwable> errors = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        class Lines extends AsyncChat {
            Lines(SocketChannel sock) {
                super(sock, map);
                setTerminator("\n");
            }

            @Override
            public void foundTerminator() throws IOException {
                String line = new String(takeIncomingData(), StandardCharsets.US_ASCII);
                if (line.equals("boom")) {
                    throw new IllegalArgumentException("cannot parse " + line);
                }
                lines.add(line);
                push("ok\n");
            }

            @Override
            public void handleError(Throwable error) {
                errors.add(error);
                close();
            }
        }
        SocketChannel[] bad = pair();
        SocketChannel[] good = pair();
        Lines thrower = new Lines(bad[0]);
        new Lines(good[0]);
        bad[1].write(ByteBuffer.wrap("boom\n".getBytes(StandardCharsets.US_ASCII)));
        good[1].write(ByteBuffer.wrap("one\n".getBytes(StandardCharsets.US_ASCII)));
        RunLoop.until(map, false, () -> thrower.isClosed() && lines.size() == 1);
        good[1].write(ByteBuffer.wrap("two\n".getBytes(StandardCharsets.US_ASCII)));
        RunLoop.until(map, false, () -> lines.size() == 2);
        assertEquals(List.of("one", "two"), lines);
        assertEquals(1, errors.size());
        assertEquals("cannot parse boom", errors.get(0).getMessage());
        assertEquals(-1, bad[1].read(ByteBuffer.allocate(1)), "the thrower's peer sees the close");
    }

    @Test
    void closeAllFromATimerWhileTransfersAreUnderWayClosesEverythingAndTheLoopReturns() throws IOException {
        List<SocketChannel> peers = new ArrayList<>();
        List<DispatcherWithSend> senders = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            SocketChannel[] p = pair();
            peers.add(p[1]);
            DispatcherWithSend d = new DispatcherWithSend(p[0], map);
            d.send(new byte[4 << 20]);
            senders.add(d);
        }
        map.callLater(Duration.ofMillis(20), () -> Asyncore.closeAll(map, false));
        Asyncore.loop(Duration.ofSeconds(5), false, map);
        assertTrue(map.isEmpty());
        for (DispatcherWithSend d : senders) {
            assertFalse(d.socket().isOpen());
        }
        for (SocketChannel peer : peers) {
            ByteBuffer b = ByteBuffer.allocate(1 << 16);
            long total = 0;
            int n;
            try {
                while ((n = peer.read(b.clear())) >= 0) {
                    total += n;
                }
            } catch (IOException resetBecauseUnreadDataWasDropped) {
                continue; // a reset also tells the peer the connection is gone
            }
            assertTrue(total <= 4 << 20);
        }
    }
}
