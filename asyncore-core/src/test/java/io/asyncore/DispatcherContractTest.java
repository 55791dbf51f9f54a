package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.asyncore.Servers.Client;
import io.asyncore.Servers.Server;
import io.asyncore.Servers.Strict;
import io.asyncore.testing.SocketPairs;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CPython's test_asyncore scenarios and the event-order rules of asyncore.py, run over IPv4, IPv6 and
 * Unix-domain sockets in both dispatch orders (Python's select and poll).
 */
@Timeout(30)
class DispatcherContractTest {
    private final SocketMap map = new SocketMap();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        map.close();
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    /** A connected pair: a dispatcher in the map on one end, a blocking test-side socket on the other. */
    private record Pair(SocketChannel local, SocketChannel remote) {
    }

    private Pair pair(Transport t) throws IOException {
        SocketChannel[] p = SocketPairs.of(t.family(), t.bindAddress());
        toClose.add(p[0]);
        toClose.add(p[1]);
        return new Pair(p[1], p[0]);
    }

    // ------------------------------------------------------------ test_asyncore's BaseTestAPI

    @ParameterizedTest
    @MethodSource("io.asyncore.Transport#all")
    void handleConnectIsCalledWhenTheConnectCompletes(Transport t) throws IOException {
        Server server = new Server(t, map, sock -> new Strict(sock, map));
        Client client = new Client(t, map, server.address()) {
            @Override
            public void handleConnect() {
                flag = true;
            }

            @Override
            public void handleWrite() {
            }
        };
        t.loopUntil(map, () -> client.flag);
    }

    @ParameterizedTest
    @MethodSource("io.asyncore.Transport#all")
    void handleAcceptIsCalledWhenAClientConnects(Transport t) throws IOException {
        AtomicInteger accepts = new AtomicInteger();
        Server server = new Server(t, map, sock -> null) {
            @Override
            public void handleAccept() throws IOException {
                accepts.incrementAndGet();
                Accepted a = accept();
                if (a != null) {
                    a.sock().close();
                }
            }
        };
        new Client(t, map, server.address()) {
            @Override
            public void handleWrite() {
            }

            @Override
            public void handleRead() {
            }

            @Override
            public void handleClose() {
                close();
            }
        };
        t.loopUntil(map, () -> accepts.get() > 0);
    }

    @ParameterizedTest
    @MethodSource("io.asyncore.Transport#all")
    void handleAcceptedGetsTheConnectionAndItsPeerAddress(Transport t) throws IOException {
        AtomicReference<Accepted> got = new AtomicReference<>();
        Server server = new Server(t, map, sock -> null) {
            @Override
            public void handleAccepted(SocketChannel sock, SocketAddress addr) throws IOException {
                got.set(new Accepted(sock, addr));
                toClose.add(sock);
            }
        };
        Client client = new Client(t, map, server.address()) {
            @Override
            public void handleWrite() {
            }
        };
        t.loopUntil(map, () -> got.get() != null);
        assertTrue(got.get().sock().isConnected());
        if (t.family() != StandardProtocolFamily.UNIX) {
            assertEquals(((NetworkChannel) client.socket()).getLocalAddress(), got.get().addr());
        }
    }

    @ParameterizedTest
    @MethodSource("io.asyncore.Transport#all")
    void handleReadIsCalledWhenDataArrives(Transport t) throws IOException {
        Server server = new Server(t, map, sock -> {
            Strict handler = new Strict(sock, map) {
                @Override
                public boolean writable() {
                    return false;
                }

                @Override
                public void handleRead() {
                }
            };
            try {
                handler.send(new byte[1024]);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return handler;
        });
        AtomicInteger bytes = new AtomicInteger();
        Client client = new Client(t, map, server.address()) {
            @Override
            public boolean writable() {
                return false;
            }

            @Override
            public void handleRead() throws IOException {
                flag = true;
                bytes.addAndGet(recv(4096).length);
            }
        };
        t.loopUntil(map, () -> bytes.get() == 1024);
        assertTrue(client.flag);
    }

    @ParameterizedTest
    @MethodSource("io.asyncore.Transport#all")
    void handleWriteIsCalledOnAWritableConnection(Transport t) throws IOException {
        Server server = new Server(t, map, sock -> new Strict(sock, map) {
            @Override
            public boolean writable() {
                return false;
            }
        });
        Client client = new Client(t, map, server.address()) {
            @Override
            public void handleWrite() {
                flag = true;
            }
        };
        t.loopUntil(map, () -> client.flag);
    }

    @ParameterizedTest
    @MethodSource("io.asyncore.Transport#all")
    void handleCloseIsCalledWhenThePeerClosesAndRecvThenReturnsEmpty(Transport t) throws IOException {
        Server server = new Server(t, map, sock -> {
            Strict handler = new Strict(sock, map);
            handler.close();
            return handler;
        });
        List<String> events = new ArrayList<>();
        Client client = new Client(t, map, server.address()) {
            @Override
            public boolean writable() {
                return false;
            }

            @Override
            public void handleRead() throws IOException {
                byte[] data = recv(1024);
                events.add("recv returned " + data.length);
            }

            @Override
            public void handleClose() {
                events.add("handleClose");
                flag = true;
                close();
            }
        };
        t.loopUntil(map, () -> client.flag);
        assertEquals(List.of("handleClose", "recv returned 0"), events);
        assertFalse(client.isConnected());
    }

    @ParameterizedTest
    @MethodSource("io.asyncore.Transport#all")
    void handleCloseIsCalledWhenTheConnectionBreaksUnderAWriter(Transport t) throws IOException {
        byte[] data = new byte[128];
        Server server = new Server(t, map, sock -> new Strict(sock, map) {
            @Override
            public boolean writable() {
                return false;
            }

            @Override
            public void handleRead() throws IOException {
                recv(data.length);
                close();
            }
        });
        Client client = new Client(t, map, server.address()) {
            @Override
            public void handleWrite() throws IOException {
                send(data);
            }

            @Override
            public void handleRead() throws IOException {
                recv(1024);
            }

            @Override
            public void handleClose() {
                flag = true;
                close();
            }
        };
        t.loopUntil(map, () -> client.flag);
    }

    @ParameterizedTest
    @MethodSource("io.asyncore.Transport#all")
    void handleErrorGetsTheExceptionAHandlerThrew(Transport t) throws IOException {
        Server server = new Server(t, map, sock -> new Servers.Sink(sock, map));
        AtomicReference<Throwable> error = new AtomicReference<>();
        Client client = new Client(t, map, server.address()) {
            @Override
            public void handleWrite() {
                throw new ArithmeticException("/ by zero");
            }

            @Override
            public void handleError(Throwable e) {
                error.set(e);
                flag = true;
                close();
            }
        };
        t.loopUntil(map, () -> client.flag);
        assertInstanceOf(ArithmeticException.class, error.get());
    }

    @ParameterizedTest
    @MethodSource("io.asyncore.Transport#all")
    void connectionAttributesFollowConnectAndClose(Transport t) throws IOException {
        Server server = new Server(t, map, sock -> new Servers.Sink(sock, map));
        Client client = new Client(t, map, server.address()) {
            @Override
            public boolean writable() {
                return !isConnected();
            }
        };
        assertFalse(server.isConnected());
        assertTrue(server.isAccepting());
        assertFalse(client.isAccepting());

        t.loopUntil(map, client::isConnected);
        assertFalse(server.isConnected());
        assertTrue(server.isAccepting());
        assertFalse(client.isConnecting());
        assertFalse(client.isAccepting());

        client.close();
        assertFalse(client.isConnected());
        assertFalse(client.isAccepting());
        assertTrue(server.isAccepting());

        server.close();
        assertFalse(server.isConnected());
        assertFalse(server.isAccepting());
    }

    @ParameterizedTest
    @MethodSource("io.asyncore.Transport#all")
    void createSocketOpensANonBlockingStreamSocketOfTheFamilyAndJoinsTheMap(Transport t) throws IOException {
        Dispatcher d = new Dispatcher(map);
        assertEquals(0, map.size(), "a dispatcher without a socket is in no map");
        d.createSocket(t.family());
        assertInstanceOf(SocketChannel.class, d.socket());
        assertFalse(d.socket().isBlocking());
        assertEquals(List.of(d), map.dispatchers());
        d.bind(t.bindAddress());
        SocketAddress local = ((NetworkChannel) d.socket()).getLocalAddress();
        assertEquals(t.family() == StandardProtocolFamily.UNIX, local instanceof UnixDomainSocketAddress);
    }

    @ParameterizedTest
    @MethodSource("io.asyncore.Transport#all")
    void bindingAnAddressInUseFailsWithABindExceptionNamingIt(Transport t) throws IOException {
        Dispatcher first = new Dispatcher(map);
        first.createSocket(t.family());
        first.bind(t.bindAddress());
        first.listen(5);
        SocketAddress taken = ((NetworkChannel) first.socket()).getLocalAddress();

        Dispatcher second = new Dispatcher(map);
        second.createSocket(t.family());
        BindException e = assertThrows(BindException.class, () -> second.bind(taken));
        assertTrue(e.getMessage().contains("cannot bind"), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("io.asyncore.Transport#all")
    void setReuseAddrTurnsOnSoReuseAddr(Transport t) throws IOException {
        assumeTrue(t.family() != StandardProtocolFamily.UNIX, "Unix-domain sockets have no SO_REUSEADDR");
        Dispatcher d = new Dispatcher(map);
        d.createSocket(t.family());
        assertFalse(((NetworkChannel) d.socket()).getOption(StandardSocketOptions.SO_REUSEADDR));
        d.setReuseAddr();
        assertTrue(((NetworkChannel) d.socket()).getOption(StandardSocketOptions.SO_REUSEADDR));
        d.bind(t.bindAddress());
        d.listen(5);
        assertTrue(((NetworkChannel) d.socket()).getOption(StandardSocketOptions.SO_REUSEADDR),
                "the listener keeps the option");
    }

    @ParameterizedTest
    @MethodSource("io.asyncore.Transport#all")
    void aConnectionResetAtOnceDoesNotDisturbTheServer(Transport t) throws IOException {
        AtomicInteger served = new AtomicInteger();
        Server server = new Server(t, map, sock -> new Dispatcher(sock, map) {
            @Override
            public boolean writable() {
                return false;
            }

            @Override
            public void handleRead() throws IOException {
                recv(1024);
            }

            @Override
            public void handleClose() {
                served.incrementAndGet();
                close();
            }
        });
        try (SocketChannel quick = t.connectBlocking(server.address())) {
            if (t.family() != StandardProtocolFamily.UNIX) {
                quick.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        }
        t.loopUntil(map, () -> served.get() == 1);
        try (SocketChannel normal = t.connectBlocking(server.address())) {
            normal.write(ByteBuffer.wrap(new byte[] {1}));
        }
        t.loopUntil(map, () -> served.get() == 2);
        assertTrue(server.isAccepting());
    }

    // ------------------------------------------------------------ asyncore.py's event order

    @ParameterizedTest
    @MethodSource("io.asyncore.Transport#all")
    void theFirstWriteEventRunsHandleConnectBeforeHandleWriteAndConnectedIsFalseInside(Transport t) throws IOException {
        Server server = new Server(t, map, sock -> new Servers.Sink(sock, map));
        List<String> events = new ArrayList<>();
        Dispatcher client = new Dispatcher(map) {
            @Override
            public void handleConnect() {
                events.add("connect connected=" + isConnected() + " connecting=" + isConnecting());
            }

            @Override
            public void handleWrite() {
                events.add("write connected=" + isConnected());
                close();
            }
        };
        client.createSocket(t.family());
        client.connect(server.address());
        t.loopUntil(map, client::isClosed);
        assertEquals(List.of("connect connected=false connecting=true", "write connected=true"), events);
    }

    @ParameterizedTest
    @MethodSource("io.asyncore.Transport#all")
    void aListenerIsNeverWriteInterested(Transport t) throws IOException {
        Server server = new Server(t, map, sock -> new Servers.Sink(sock, map)) {
            @Override
            public void handleWrite() {
                throw new AssertionError("a listener got a write event");
            }
        };
        assertTrue(server.writable());
        Asyncore.poll(Duration.ZERO, map, t.usePoll());
        assertEquals(SelectionKey.OP_ACCEPT, server.registration.key.interestOps());
        try (SocketChannel c = t.connectBlocking(server.address())) {
            t.loopUntil(map, () -> map.size() == 2);
        }
    }

    @ParameterizedTest
    @MethodSource("io.asyncore.Transport#all")
    void selectOrderDeliversEveryReadBeforeAnyWriteAndPollOrderGoesChannelByChannel(Transport t) throws IOException {
        List<String> events = new ArrayList<>();
        List<Dispatcher> ds = new ArrayList<>();
        for (String name : List.of("a", "b")) {
            Pair p = pair(t);
            p.remote().write(ByteBuffer.wrap(new byte[] {42}));
            ds.add(new Dispatcher(p.local(), map) {
                @Override
                public void handleRead() throws IOException {
                    recv(1);
                    events.add("read " + name);
                }

                @Override
                public void handleWrite() {
                    events.add("write " + name);
                }
            });
        }
        // Wait until both are readable, so one pass sees both events of both.
        t.loopUntil(map, () -> events.size() >= 4);
        List<String> firstPass = events.subList(0, 4);
        if (t.usePoll()) {
            assertEquals(firstPass.get(0).substring(5), firstPass.get(1).substring(6), "poll order: " + firstPass);
            assertTrue(firstPass.get(0).startsWith("read") && firstPass.get(1).startsWith("write"), firstPass.toString());
            assertTrue(firstPass.get(2).startsWith("read") && firstPass.get(3).startsWith("write"), firstPass.toString());
        } else {
            assertTrue(firstPass.get(0).startsWith("read") && firstPass.get(1).startsWith("read"), "select order: " + firstPass);
            assertTrue(firstPass.get(2).startsWith("write") && firstPass.get(3).startsWith("write"), "select order: " + firstPass);
        }
    }

    @ParameterizedTest
    @MethodSource("io.asyncore.Transport#all")
    void noEventReachesADispatcherClosedEarlierInTheSamePass(Transport t) throws IOException {
        List<String> events = new ArrayList<>();
        Dispatcher[] ds = new Dispatcher[2];
        Pair[] pairs = {pair(t), pair(t)};
        for (int i = 0; i < 2; i++) {
            int me = i;
            ds[i] = new Dispatcher(pairs[i].local(), map) {
                @Override
                public boolean writable() {
                    return false;
                }

                @Override
                public void handleRead() throws IOException {
                    events.add("read " + me);
                    ds[1 - me].close();
                    close();
                }
            };
        }
        Asyncore.poll(Duration.ZERO, map, t.usePoll()); // register interest
        for (Pair p : pairs) {
            p.remote().write(ByteBuffer.wrap(new byte[] {1}));
        }
        t.loopUntil(map, () -> !events.isEmpty());
        assertEquals(1, events.size(), events.toString());
        assertTrue(map.isEmpty());
    }

    @ParameterizedTest
    @MethodSource("io.asyncore.Transport#all")
    void aDispatcherAddedDuringAPassTakesPartFromTheNextPass(Transport t) throws IOException {
        AtomicInteger pass = new AtomicInteger();
        AtomicInteger createdInPass = new AtomicInteger(-1);
        AtomicInteger firstEventInPass = new AtomicInteger(-1);
        Pair trigger = pair(t);
        Pair late = pair(t);
        late.remote().write(ByteBuffer.wrap(new byte[] {7}));
        new Dispatcher(trigger.local(), map) {
            @Override
            public boolean writable() {
                return false;
            }

            @Override
            public void handleRead() throws IOException {
                recv(1);
                createdInPass.set(pass.get());
                new Dispatcher(late.local(), map) {
                    @Override
                    public boolean writable() {
                        return false;
                    }

                    @Override
                    public void handleRead() throws IOException {
                        recv(1);
                        firstEventInPass.compareAndSet(-1, pass.get());
                    }
                };
            }
        };
        trigger.remote().write(ByteBuffer.wrap(new byte[] {1}));
        long deadline = System.nanoTime() + Transport.WAIT.toNanos();
        while (firstEventInPass.get() < 0 && System.nanoTime() < deadline) {
            Asyncore.poll(Duration.ofMillis(20), map, t.usePoll());
            pass.incrementAndGet();
        }
        assertTrue(createdInPass.get() >= 0);
        assertTrue(firstEventInPass.get() > createdInPass.get(),
                "created in pass " + createdInPass + ", first event in pass " + firstEventInPass);
    }

    @ParameterizedTest
    @MethodSource("io.asyncore.Transport#all")
    void oneFailingDispatcherIsClosedAndTheLoopKeepsServingTheOthers(Transport t) throws IOException {
        Pair bad = pair(t);
        Pair good = pair(t);
        AtomicInteger goodReads = new AtomicInteger();
        Dispatcher thrower = new Dispatcher(bad.local(), map) {
            @Override
            public boolean writable() {
                return false;
            }

            @Override
            public void handleRead() {
                throw new IllegalStateException("handler bug");
            }

            @Override
            public void logInfo(String message, String type) {
                // keep the expected error out of the test log
            }
        };
        new Dispatcher(good.local(), map) {
            @Override
            public boolean writable() {
                return false;
            }

            @Override
            public void handleRead() throws IOException {
                goodReads.addAndGet(recv(10).length);
            }
        };
        bad.remote().write(ByteBuffer.wrap(new byte[] {1}));
        good.remote().write(ByteBuffer.wrap(new byte[] {1}));
        t.loopUntil(map, () -> thrower.isClosed() && goodReads.get() == 1);
        good.remote().write(ByteBuffer.wrap(new byte[] {2, 3}));
        t.loopUntil(map, () -> goodReads.get() == 3);
        assertEquals(1, map.size());
    }

    @ParameterizedTest
    @MethodSource("io.asyncore.Transport#all")
    void aPeerWentAwayErrorFromAHandlerGoesToHandleCloseUnderPollAndHandleErrorUnderSelect(Transport t) throws IOException {
        Pair p = pair(t);
        List<String> events = new ArrayList<>();
        new Dispatcher(p.local(), map) {
            @Override
            public boolean writable() {
                return false;
            }

            @Override
            public void handleRead() throws IOException {
                throw new SocketException("Connection reset");
            }

            @Override
            public void handleError(Throwable error) {
                events.add("handleError");
                close();
            }

            @Override
            public void handleClose() {
                events.add("handleClose");
                close();
            }
        };
        p.remote().write(ByteBuffer.wrap(new byte[] {1}));
        t.loopUntil(map, map::isEmpty);
        assertEquals(List.of(t.usePoll() ? "handleClose" : "handleError"), events);
    }

    @ParameterizedTest
    @MethodSource("io.asyncore.Transport#all")
    void exitNowLeavesTheLoopAndErrorsPropagate(Transport t) throws IOException {
        Pair p = pair(t);
        Dispatcher d = new Dispatcher(p.local(), map) {
            int calls;

            @Override
            public void handleWrite() {
                if (++calls == 1) {
                    throw new ExitNow("done");
                }
                throw new OutOfMemoryError("simulated");
            }
        };
        ExitNow exit = assertThrows(ExitNow.class, () -> Asyncore.loop(Duration.ofSeconds(5), t.usePoll(), map));
        assertEquals("done", exit.getMessage());
        assertFalse(d.isClosed(), "ExitNow leaves the dispatchers as they are");
        assertThrows(OutOfMemoryError.class, () -> Asyncore.loop(Duration.ofSeconds(5), t.usePoll(), map));
    }

    @ParameterizedTest
    @MethodSource("io.asyncore.Transport#all")
    void aRefusedConnectReachesHandleErrorOrIsThrownWhenImmediate(Transport t) throws IOException {
        SocketAddress nobody;
        if (t.family() == StandardProtocolFamily.UNIX) {
            nobody = t.bindAddress(); // a path nobody listens on: the JDK fails at once
        } else {
            try (ServerSocketChannel s = ServerSocketChannel.open(t.family())) {
                s.bind(t.bindAddress());
                nobody = s.getLocalAddress();
            }
        }
        AtomicReference<Throwable> error = new AtomicReference<>();
        Dispatcher d = new Dispatcher(map) {
            @Override
            public void handleError(Throwable e) {
                error.set(e);
                close();
            }
        };
        d.createSocket(t.family());
        try {
            d.connect(nobody);
        } catch (IOException immediate) {
            error.set(immediate);
            d.close();
        }
        t.loopUntil(map, () -> error.get() != null);
        assertNotNull(error.get());
        assertTrue(error.get() instanceof ConnectException || t.family() == StandardProtocolFamily.UNIX,
                "a refused TCP connect is a ConnectException: " + error.get());
        assertTrue(map.isEmpty());
    }

    @ParameterizedTest
    @MethodSource("io.asyncore.Transport#all")
    void dispatcherWithSendDeliversEverythingQueuedBeforeTheConnectCompletes(Transport t) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open(t.family());
        toClose.add(listener);
        listener.bind(t.bindAddress());
        byte[] payload = new byte[300_000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i % 251);
        }
        DispatcherWithSend d = new DispatcherWithSend(map) {
            @Override
            public boolean readable() {
                return false;
            }

            @Override
            public void handleConnect() {
            }
        };
        d.createSocket(t.family());
        d.connect(listener.getLocalAddress());
        d.send(ByteBuffer.wrap(payload, 0, 100_000));
        d.send(ByteBuffer.wrap(payload, 100_000, 200_000));
        SocketChannel peer = listener.accept();
        toClose.add(peer);
        peer.configureBlocking(false);
        ByteBuffer got = ByteBuffer.allocate(payload.length);
        t.loopUntil(map, () -> {
            try {
                peer.read(got);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return !got.hasRemaining();
        });
        assertArrayEquals(payload, got.array());
        assertEquals(0, d.pendingBytes());
    }

    @ParameterizedTest
    @MethodSource("io.asyncore.Transport#all")
    void aDispatcherOverAnAcceptedSocketIsConnectedWithThePeerAsAddr(Transport t) throws IOException {
        Pair p = pair(t);
        Dispatcher d = new Dispatcher(p.local(), map);
        assertTrue(d.isConnected());
        assertEquals(p.local().getRemoteAddress(), d.addr());
        assertTrue(d.toString().contains(" connected "), d.toString());
        if (t.family() == StandardProtocolFamily.INET) {
            InetSocketAddress a = (InetSocketAddress) d.addr();
            assertTrue(d.toString().contains("127.0.0.1:" + a.getPort()), d.toString());
        }
    }
}
