package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.asyncore.testing.EchoHandler;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A group of loops over real loopback sockets: spreading, confinement, load, stopping, isolation, misuse. */
@Timeout(120)
class LoopGroupTest {
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

    /** An echo handler that checks every call it gets is on the thread that made it. */
    static final class ConfinedEcho extends EchoHandler {
        static final List<String> violations = new CopyOnWriteArrayList<>();
        static final Set<String> threads = ConcurrentHashMap.newKeySet();
        private final Thread owner = Thread.currentThread();

        ConfinedEcho(SocketChannel sock, SocketMap map) {
            super(sock, map);
            threads.add(owner.getName());
            check("constructor");
        }

        private void check(String where) {
            if (Thread.currentThread() != owner || !map().inLoop()) {
                violations.add(where + " on " + Thread.currentThread().getName() + ", made on " + owner.getName());
            }
        }

        @Override
        public void handleRead() throws IOException {
            check("handleRead");
            super.handleRead();
        }

        @Override
        public void handleWrite() throws IOException {
            check("handleWrite");
            super.handleWrite();
        }

        @Override
        public void handleClose() {
            check("handleClose");
            super.handleClose();
        }
    }

    private static String echoOnce(SocketAddress server, String message) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(server, 10_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
            byte[] back = s.getInputStream().readNBytes(message.length());
            return new String(back, StandardCharsets.UTF_8);
        }
    }

    @Test
    void connectionsSpreadRoundRobinAndEveryHandlerCallStaysOnTheLoopThatMadeIt() throws Exception {
        ConfinedEcho.violations.clear();
        ConfinedEcho.threads.clear();
        try (LoopGroup group = new LoopGroup(2, LoopChooser.roundRobin(), "spread").start()) {
            SocketAddress server = group.listen(ANY_PORT, ConfinedEcho::new).addr();
            for (int i = 0; i < 100; i++) {
                assertEquals("hello " + i, echoOnce(server, "hello " + i));
            }
            assertArrayEquals(new long[] {50, 50}, group.servedCounts());
            assertEquals(Set.of("spread-loop-0", "spread-loop-1"), ConfinedEcho.threads);
        }
        assertEquals(List.of(), ConfinedEcho.violations);
    }

    @Test
    void aListenerOfOnesOwnHandsOffInOneLineAndAClientPicksALoop() throws Exception {
        try (LoopGroup group = new LoopGroup(2).start()) {
            CountDownLatch listening = new CountDownLatch(1);
            AtomicReference<SocketAddress> bound = new AtomicReference<>();
            group.loop(0).execute(() -> {
                try {
                    Dispatcher server = new Dispatcher(group.loop(0)) {
                        @Override
                        public void handleAccepted(SocketChannel sock, SocketAddress addr) {
                            group.serve(sock, (channel, map) -> new EchoHandler(channel, map));
                        }
                    };
                    server.createSocket();
                    server.bind(ANY_PORT);
                    server.listen();
                    bound.set(((ServerSocketChannel) server.socket()).getLocalAddress());
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                listening.countDown();
            });
            assertTrue(listening.await(10, TimeUnit.SECONDS));
            assertEquals("one", echoOnce(bound.get(), "one"));
            assertEquals("two", echoOnce(bound.get(), "two"));
            assertArrayEquals(new long[] {1, 1}, group.servedCounts());

            SocketMap chosen = group.next();
            assertTrue(group.loops().contains(chosen));
            assertFalse(chosen.inLoop(), "the test thread is not a loop");
        }
    }

    @Test
    void listenersOnEveryLoopWithReusePortEachServeOnTheirOwnLoop() throws Exception {
        ConfinedEcho.violations.clear();
        try (LoopGroup group = new LoopGroup(2).start()) {
            List<Dispatcher> listeners;
            try {
                listeners = group.listenOnEachLoop(ANY_PORT, ConfinedEcho::new);
            } catch (UnsupportedOperationException e) {
                assumeTrue(false, "no SO_REUSEPORT here: " + e.getMessage());
                return;
            }
            assertEquals(2, listeners.size());
            assertEquals(listeners.get(0).addr(), listeners.get(1).addr());
            for (int i = 0; i < 200; i++) {
                assertEquals("x" + i, echoOnce(listeners.get(0).addr(), "x" + i));
            }
            long[] counts = group.servedCounts();
            assertEquals(200, counts[0] + counts[1]);
            assertTrue(counts[0] > 0 && counts[1] > 0, "the kernel spread 200 connects over both loops: " + counts[0] + "/" + counts[1]);
        }
        assertEquals(List.of(), ConfinedEcho.violations);
    }

    /** The listeners of {@code group} on every loop with {@code SO_REUSEPORT}; the test is skipped where the platform has none. */
    private static List<Dispatcher> reusePortListeners(LoopGroup group, HandlerFactory factory) throws IOException {
        try {
            return group.listenOnEachLoop(ANY_PORT, factory);
        } catch (UnsupportedOperationException e) {
            assumeTrue(false, "no SO_REUSEPORT here: " + e.getMessage());
            return List.of();
        }
    }

    @Test
    void aThousandConcurrentByteExactEchoesOverReusePortListenersSpreadOverBothLoops() throws Exception {
        int connections = 1000;
        ConfinedEcho.violations.clear();
        ConfinedEcho.threads.clear();
        try (LoopGroup group = new LoopGroup(2, LoopChooser.roundRobin(), "reuseport").start(); SocketMap clients = new SocketMap()) {
            SocketAddress server = reusePortListeners(group, ConfinedEcho::new).get(0).addr();
            int[] verified = {0};
            List<PatternClient> all = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                all.add(new PatternClient(clients, server, i, () -> verified[0]++));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (verified[0] < connections && System.nanoTime() < deadline) {
                Asyncore.poll(Duration.ofMillis(100), clients);
            }
            for (PatternClient c : all) {
                assertNull(c.mismatch);
            }
            assertEquals(connections, verified[0], "echoes verified in time");
            assertEquals(connections, clients.size(), "every client still connected: all at once");
            long[] counts = group.servedCounts();
            assertEquals(connections, counts[0] + counts[1]);
            // The kernel hashes each connect's address pair: about half each, never exactly (12 standard deviations of room).
            assertTrue(counts[0] >= 300 && counts[1] >= 300, "the kernel spread the connects over both loops: " + counts[0] + "/" + counts[1]);
            assertEquals(Set.of("reuseport-loop-0", "reuseport-loop-1"), ConfinedEcho.threads);
        }
        assertEquals(List.of(), ConfinedEcho.violations, "every handler call on the thread of the loop whose listener accepted it");
    }

    @Test
    void stoppingTheGroupClosesEveryReusePortListenerAndLeaksNoDescriptor() throws Exception {
        int before = openDescriptors();
        LoopGroup group = new LoopGroup(2).start();
        List<Dispatcher> listeners = reusePortListeners(group, EchoHandler::new);
        SocketAddress server = listeners.get(0).addr();
        assertEquals("up", echoOnce(server, "up"));
        group.shutdown(Duration.ofSeconds(5));
        assertTrue(group.awaitTermination(Duration.ofSeconds(10)));
        for (Dispatcher listener : listeners) {
            assertTrue(listener.isClosed(), listener + " closed with the group");
        }
        assertThrows(java.net.ConnectException.class, () -> echoOnce(server, "late"), "no listener is left on the port");
        assertDescriptorsBackTo(before);
    }

    /** 1 if Linux moves the connections queued on a closing SO_REUSEPORT listener to another one (net.ipv4.tcp_migrate_req, 5.14+). */
    private static boolean kernelMigratesQueuedConnections() throws IOException {
        Path knob = Path.of("/proc/sys/net/ipv4/tcp_migrate_req");
        return Files.exists(knob) && Files.readString(knob).trim().equals("1");
    }

    @Test
    void closingOneReusePortListenerResetsTheConnectionsTheKernelQueuedOnIt() throws Exception {
        int clients = 64;
        try (LoopGroup group = new LoopGroup(2).start()) {
            List<Dispatcher> listeners = reusePortListeners(group, EchoHandler::new);
            SocketAddress server = listeners.get(0).addr();
            // Loop 1 is held in a task, so what the kernel gives its listener waits in that listener's backlog.
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            group.loop(1).execute(() -> {
                held.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                listeners.get(1).close(); // on its loop, before that loop polls again: it never accepts
            });
            assertTrue(held.await(10, TimeUnit.SECONDS));
            List<Socket> sockets = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                Socket s = new Socket();
                s.connect(server, 10_000); // completed by the kernel, accepted by a loop or not
                s.setSoTimeout(10_000);
                s.getOutputStream().write(("hello " + i).getBytes(StandardCharsets.UTF_8));
                sockets.add(s);
            }
            release.countDown();
            int echoed = 0;
            int reset = 0;
            for (int i = 0; i < clients; i++) {
                try (Socket s = sockets.get(i)) {
                    byte[] back = s.getInputStream().readNBytes(("hello " + i).length());
                    assertEquals("hello " + i, new String(back, StandardCharsets.UTF_8), "client " + i + ": an echo or a reset");
                    echoed++;
                } catch (java.net.SocketException e) {
                    assertTrue(String.valueOf(e.getMessage()).contains("reset"), "client " + i + ": " + e);
                    reset++;
                }
            }
            long[] counts = group.servedCounts();
            assertEquals(0, counts[1], "loop 1 accepted nothing");
            assertEquals(counts[0], echoed, "every connection loop 0 accepted was echoed");
            if (kernelMigratesQueuedConnections()) {
                assertEquals(0, reset, "with net.ipv4.tcp_migrate_req=1 the kernel moves the queue to loop 0's listener");
            } else {
                // 2^-64 odds that the kernel hashed all 64 onto loop 0
                assertTrue(reset > 0, "the connections queued on the closed listener were reset: " + echoed + " echoed");
            }
            assertEquals(clients, echoed + reset);
            for (int i = 0; i < 10; i++) {
                assertEquals("after " + i, echoOnce(server, "after " + i), "new connects go to the listener left");
            }
            assertEquals(0, group.servedCounts()[1]);
        }
    }

    // ---------------------------------------------------------------- load

    /** A client on a non-blocking loop that sends its own pattern, checks the echo byte by byte, and stays connected. */
    static final class PatternClient extends Dispatcher {
        static final int SIZE = 1024;
        private final byte[] out = new byte[SIZE];
        private int sent;
        private int received;
        private final Runnable onVerified;
        String mismatch;

        PatternClient(SocketMap map, SocketAddress server, int id, Runnable onVerified) throws IOException {
            super(map);
            this.onVerified = onVerified;
            for (int i = 0; i < SIZE; i++) {
                out[i] = pattern(id, i);
            }
            createSocket();
            connect(server);
        }

        @Override
        public boolean readable() {
            return received < SIZE;
        }

        @Override
        public boolean writable() {
            return !isConnected() || sent < SIZE;
        }

        @Override
        public void handleConnect() {
        }

        @Override
        public void handleWrite() throws IOException {
            if (sent < SIZE) {
                sent += send(ByteBuffer.wrap(out, sent, SIZE - sent));
            }
        }

        @Override
        public void handleRead() throws IOException {
            byte[] in = recv(SIZE - received);
            for (byte b : in) {
                if (b != out[received] && mismatch == null) {
                    mismatch = "byte " + received + " differs";
                }
                received++;
            }
            if (received == SIZE) {
                onVerified.run();
            }
        }

        @Override
        public void handleClose() {
            if (received < SIZE) {
                mismatch = "closed after " + received + " bytes";
            }
            close();
        }
    }

    static byte pattern(int id, long position) {
        return (byte) (position * 31 + id * 7 + (position >>> 8));
    }

    private static long openFileLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        return -1;
    }

    @Test
    void fiveThousandConcurrentByteExactEchoConnectionsOverTwoLoops() throws Exception {
        int connections = 5000;
        long limit = openFileLimit();
        assumeTrue(limit >= 2L * connections + 500,
                "needs " + (2 * connections + 500) + " open files (both ends in this JVM), the limit is " + limit
                        + ": raise it with ulimit -n");
        try (LoopGroup group = new LoopGroup(2).start(); SocketMap clients = new SocketMap()) {
            SocketAddress server = group.listen(ANY_PORT, EchoHandler::new).addr();
            int[] verified = {0};
            List<PatternClient> all = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                all.add(new PatternClient(clients, server, i, () -> verified[0]++));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (verified[0] < connections && System.nanoTime() < deadline) {
                Asyncore.poll(Duration.ofMillis(100), clients);
            }
            for (PatternClient c : all) {
                assertNull(c.mismatch);
            }
            assertEquals(connections, verified[0], "echoes verified in time");
            assertEquals(connections, clients.size(), "every client still connected: all 5000 at once");
            long[] counts = group.servedCounts();
            assertArrayEquals(new long[] {connections / 2, connections / 2}, counts);
        }
    }

    // ---------------------------------------------------------------- stopping

    /**
     * Echoes and counts what the kernel took from each send (the bytes acknowledged to this writer);
     * told to drain, it sends what it holds, ends its output, and reads on to the peer's end.
     */
    static final class DrainingEcho extends Dispatcher implements Drainable {
        static final ConcurrentHashMap<SocketAddress, long[]> acknowledged = new ConcurrentHashMap<>();
        private final long[] acked = new long[1];
        private final ByteBuffer pending = ByteBuffer.allocate(16384).flip();
        private boolean draining;
        private boolean outputShut;

        DrainingEcho(SocketChannel sock, SocketMap map) {
            super(sock, map);
            acknowledged.put(addr(), acked);
        }

        @Override
        public boolean readable() {
            return draining || !pending.hasRemaining();
        }

        @Override
        public boolean writable() {
            return pending.hasRemaining();
        }

        @Override
        public void handleRead() throws IOException {
            if (draining) {
                recv(65536); // discarded: a close with unread input would reset the connection
                return;
            }
            pending.clear();
            int n = recv(pending);
            pending.flip();
            if (n > 0) {
                handleWrite();
            }
        }

        @Override
        public void handleWrite() throws IOException {
            if (pending.hasRemaining()) {
                int n = send(pending);
                synchronized (acked) {
                    acked[0] += Math.max(n, 0);
                }
            }
            finishIfDrained();
        }

        @Override
        public void drain() {
            draining = true;
            try {
                finishIfDrained();
            } catch (IOException e) {
                handleError(e);
            }
        }

        private void finishIfDrained() throws IOException {
            if (draining && !pending.hasRemaining() && !outputShut && !isClosed()) {
                outputShut = true;
                shutdownOutput();
            }
        }

        @Override
        public void handleClose() {
            close();
        }
    }

    /** A blocking client that writes its pattern without pause and checks what comes back, to end of stream. */
    static final class StreamingClient {
        final Socket socket = new Socket();
        final SocketAddress local;
        final int id;
        volatile long received;
        volatile String mismatch;
        final CountDownLatch ended = new CountDownLatch(1);
        final AtomicBoolean writing = new AtomicBoolean(true);

        StreamingClient(int id, SocketAddress server) throws IOException {
            this.id = id;
            socket.connect(server, 10_000);
            local = socket.getLocalSocketAddress();
            Thread writer = new Thread(this::write, "client-writer-" + id);
            Thread reader = new Thread(this::read, "client-reader-" + id);
            writer.setDaemon(true);
            reader.setDaemon(true);
            writer.start();
            reader.start();
        }

        private void write() {
            byte[] chunk = new byte[4096];
            long position = 0;
            try {
                OutputStream out = socket.getOutputStream();
                while (writing.get()) {
                    // Stay at most 256 KB ahead of the echo, so the echo never stalls on a full client buffer.
                    if (position - received > 256 * 1024) {
                        Thread.onSpinWait();
                        continue;
                    }
                    for (int i = 0; i < chunk.length; i++) {
                        chunk[i] = pattern(id, position + i);
                    }
                    out.write(chunk);
                    position += chunk.length;
                }
            } catch (IOException e) {
                // the server ended the connection
            }
        }

        private void read() {
            byte[] buf = new byte[8192];
            long position = 0;
            try {
                InputStream in = socket.getInputStream();
                int n;
                while ((n = in.read(buf)) > 0) {
                    for (int i = 0; i < n; i++) {
                        if (buf[i] != pattern(id, position + i) && mismatch == null) {
                            mismatch = "client " + id + ": byte " + (position + i) + " differs";
                        }
                    }
                    position += n;
                    received = position;
                }
            } catch (IOException e) {
                mismatch = "client " + id + " failed after " + position + " bytes: " + e;
            } finally {
                received = position;
                writing.set(false);
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing
                }
                ended.countDown();
            }
        }
    }

    private static int openDescriptors() {
        String[] fds = new File("/proc/self/fd").list();
        assumeTrue(fds != null, "needs /proc/self/fd");
        return fds.length;
    }

    /**
     * Waits (up to 5 s) for the open descriptors to fall back to {@code before}: a channel's
     * descriptor is released when its key is deregistered, which may trail the group's end by a
     * moment. Fails listing what is still open.
     */
    private static void assertDescriptorsBackTo(int before) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (openDescriptors() > before && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        int now = openDescriptors();
        if (now != before) {
            StringBuilder open = new StringBuilder();
            for (File fd : new File("/proc/self/fd").listFiles()) {
                try {
                    open.append(' ').append(fd.getName()).append("->").append(java.nio.file.Files.readSymbolicLink(fd.toPath()));
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
            assertEquals(before, now, "descriptors back to where they were; open now:" + open);
        }
    }

    @Test
    void stoppingMidTrafficLosesNoAcknowledgedByteAndLeaksNoDescriptor() throws Exception {
        DrainingEcho.acknowledged.clear();
        int before = openDescriptors();
        LoopGroup group = new LoopGroup(2).start();
        SocketAddress server = group.listen(ANY_PORT, DrainingEcho::new).addr();
        List<StreamingClient> clients = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            clients.add(new StreamingClient(i, server));
        }
        for (StreamingClient c : clients) {
            while (c.received < 64 * 1024) {
                assertTrue(c.ended.getCount() > 0, "client " + c.id + " ended early: " + c.mismatch);
                Thread.onSpinWait();
            }
        }
        group.shutdown(Duration.ofSeconds(20));
        assertThrows(IOException.class, () -> echoOnce(server, "late"), "the listener closed first");
        for (StreamingClient c : clients) {
            assertTrue(c.ended.await(30, TimeUnit.SECONDS), "client " + c.id + " saw the end of stream");
        }
        assertTrue(group.awaitTermination(Duration.ofSeconds(30)));
        for (StreamingClient c : clients) {
            assertNull(c.mismatch);
            long[] acked = DrainingEcho.acknowledged.get(c.local);
            synchronized (acked) {
                assertEquals(acked[0], c.received, "client " + c.id + " got every byte the server's send() took");
            }
            assertTrue(c.received >= 64 * 1024);
        }
        assertNull(group.failure());
        assertDescriptorsBackTo(before);
    }

    @Test
    void theRestIsClosedAtTheDeadlineAndNothingLeaks() throws Exception {
        int before = openDescriptors();
        LoopGroup group = new LoopGroup(2).start();
        SocketAddress server = group.listen(ANY_PORT, EchoHandler::new).addr();
        List<Socket> idle = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Socket s = new Socket();
            s.connect(server, 10_000);
            idle.add(s);
        }
        assertEquals("ping", echoOnce(server, "ping")); // the ten are accepted by now: they came first
        long start = System.nanoTime();
        group.shutdown(Duration.ofMillis(200));
        assertTrue(group.awaitTermination(Duration.ofSeconds(10)));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(200), "idle connections kept until the deadline");
        for (Socket s : idle) {
            s.setSoTimeout(10_000);
            assertEquals(-1, s.getInputStream().read(), "closed by the group");
            s.close();
        }
        assertTrue(group.isTerminated());
        assertDescriptorsBackTo(before);
    }

    // ---------------------------------------------------------------- isolation

    @Test
    void aHandlerThatThrowsOnOneLoopDoesNotDisturbTheOthers() throws Exception {
        try (LoopGroup group = new LoopGroup(2).start()) {
            SocketAddress server = group.listen(ANY_PORT, (channel, map) -> new EchoHandler(channel, map) {
                @Override
                public void handleRead() throws IOException {
                    if (map().equals(group.loop(0))) {
                        byte[] data = recv(8192);
                        if (new String(data, StandardCharsets.UTF_8).startsWith("boom")) {
                            throw new IllegalStateException("boom, on purpose");
                        }
                        send(data);
                    } else {
                        super.handleRead();
                    }
                }

                @Override
                public void handleError(Throwable error) {
                    close(); // quietly, without the log line
                }
            }).addr();
            try (Socket doomed = new Socket(); Socket other = new Socket()) {
                doomed.connect(server); // loop 0
                other.connect(server); // loop 1
                doomed.setSoTimeout(10_000);
                other.setSoTimeout(10_000);
                group.loop(1).execute(() -> {
                    throw new IllegalStateException("a failing task on loop 1, on purpose");
                });
                doomed.getOutputStream().write("boom".getBytes(StandardCharsets.UTF_8));
                assertEquals(-1, doomed.getInputStream().read(), "the failing handler was closed");
                other.getOutputStream().write("fine".getBytes(StandardCharsets.UTF_8));
                assertEquals("fine", new String(other.getInputStream().readNBytes(4), StandardCharsets.UTF_8));
            }
            assertEquals("loop 0 goes on", echoOnce(server, "loop 0 goes on"));
            assertEquals("loop 1 goes on", echoOnce(server, "loop 1 goes on"));
            assertTrue(group.isRunning());
            assertNull(group.failure());
        }
    }

    @Test
    void aFactoryThatThrowsClosesThatConnectionOnly() throws Exception {
        try (LoopGroup group = new LoopGroup(2).start()) {
            boolean[] first = {true};
            SocketAddress server = group.listen(ANY_PORT, (channel, map) -> {
                synchronized (first) {
                    if (first[0]) {
                        first[0] = false;
                        throw new IOException("no handler for this one, on purpose");
                    }
                }
                new EchoHandler(channel, map);
            }).addr();
            try (Socket refused = new Socket()) {
                refused.connect(server);
                refused.setSoTimeout(10_000);
                assertEquals(-1, refused.getInputStream().read());
            }
            assertEquals("next", echoOnce(server, "next"));
        }
    }

    // ---------------------------------------------------------------- misuse

    @Test
    void misuseFailsAtOnceWithAMessageSayingWhatToDo() throws Exception {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> new LoopGroup(0));
        assertEquals("loops < 1: 0 (a group needs at least one loop; new LoopGroup() makes one per processor)", none.getMessage());

        LoopGroup group = new LoopGroup(1).start();
        try (SocketMap foreign = new SocketMap()) {
            SocketChannel channel = SocketChannel.open();
            IllegalArgumentException notOurs = assertThrows(IllegalArgumentException.class,
                    () -> group.serve(channel, foreign, EchoHandler::new));
            assertTrue(notOurs.getMessage().contains("is not one of this group's loops"), notOurs.getMessage());
            channel.close();

            LoopGroup badChooser = new LoopGroup(1, loops -> foreign);
            IllegalStateException chooser = assertThrows(IllegalStateException.class, badChooser::next);
            assertTrue(chooser.getMessage().contains("must return an element of its argument"), chooser.getMessage());
            badChooser.close();
            assertTrue(badChooser.isTerminated(), "a group never started stops without starting");
        }

        AtomicReference<Throwable> fromLoop = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        group.loop(0).execute(() -> {
            try {
                group.close();
            } catch (Throwable t) {
                fromLoop.set(t);
            }
            done.countDown();
        });
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertTrue(fromLoop.get() instanceof IllegalStateException, String.valueOf(fromLoop.get()));
        assertTrue(fromLoop.get().getMessage().contains("would wait for itself"), fromLoop.get().getMessage());

        group.close();
        SocketChannel late = SocketChannel.open();
        IllegalStateException stopped = assertThrows(IllegalStateException.class, () -> group.serve(late, EchoHandler::new));
        assertTrue(stopped.getMessage().contains("the group is stopped; the connection was closed"), stopped.getMessage());
        assertFalse(late.isOpen(), "a refused connection is closed");
        IllegalStateException restart = assertThrows(IllegalStateException.class, group::start);
        assertEquals("start() on a LoopGroup that was stopped; make a new one", restart.getMessage());
        assertThrows(IllegalStateException.class, () -> group.listen(ANY_PORT, EchoHandler::new));
        assertNotEquals("", group.toString());
    }
}
