package io.asyncore.chat;

import static io.asyncore.chat.Latin1.bytes;
import static io.asyncore.chat.Latin1.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.testing.RunLoop;
import io.asyncore.testing.SocketPairs;
import io.asyncore.SocketMap;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scenarios of CPython's test_asynchat, on real loopback sockets: a blocking echo server
 * thread collects everything up to {@code QUIT\n}, then sends it back {@code chunk} bytes per write
 * and closes; the client is an AsyncChat on its own map. Each scenario runs in both loop modes.
 */
@Timeout(30)
class AsyncChatScenarioTest {
    private static final byte[] QUIT = bytes("QUIT\n");

    private final SocketMap map = new SocketMap();

    @AfterEach
    void closeMap() {
        map.close();
    }

    /** Echoes everything before QUIT back, chunk bytes per write, then closes. */
    private static final class EchoServer implements AutoCloseable {
        final ServerSocketChannel listener;
        final CompletableFuture<byte[]> received = new CompletableFuture<>();
        final CountDownLatch startResend;
        final Thread thread;
        final int chunk;

        EchoServer(int chunk, CountDownLatch startResend) throws IOException {
            this.chunk = chunk;
            this.startResend = startResend;
            listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            thread = new Thread(this::serve, "echo-server");
            thread.setDaemon(true);
            thread.start();
        }

        int port() throws IOException {
            return ((InetSocketAddress) listener.getLocalAddress()).getPort();
        }

        private void serve() {
            try (SocketChannel conn = listener.accept()) {
                ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                ByteBuffer one = ByteBuffer.allocate(1);
                while (!text(buffer.toByteArray()).contains("QUIT\n")) {
                    one.clear();
                    if (conn.read(one) < 0) {
                        break;
                    }
                    buffer.write(one.array()[0]);
                }
                byte[] data = bytes(text(buffer.toByteArray()).replace("QUIT\n", ""));
                received.complete(data);
                if (startResend != null && !startResend.await(10, TimeUnit.SECONDS)) {
                    return;
                }
                for (int i = 0; i < data.length; i += chunk) {
                    conn.write(ByteBuffer.wrap(data, i, Math.min(chunk, data.length - i)));
                }
            } catch (IOException | InterruptedException e) {
                // the client may have closed already (closeWhenDone): like the Python test, ignore
            } finally {
                received.complete(new byte[0]);
            }
        }

        @Override
        public void close() throws Exception {
            listener.close();
            thread.join(10_000);
        }
    }

    private final class EchoClient extends AsyncChat {
        final List<String> contents = new ArrayList<>();
        final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        EchoClient(Terminator terminator, int port, int readSize) throws IOException {
            super(map);
            createSocket();
            connect(new InetSocketAddress("127.0.0.1", port));
            setTerminator(terminator);
            setAcInBufferSize(readSize); // forces the echo to arrive in pieces of this size at most
        }

        @Override
        public void handleConnect() {
        }

        @Override
        public void collectIncomingData(byte[] data) {
            buffer.writeBytes(data);
        }

        @Override
        public void foundTerminator() {
            contents.add(text(buffer.toByteArray()));
            buffer.reset();
        }
    }

    private void runUntilClosed(boolean usePoll) {
        RunLoop.until(map, usePoll, map::isEmpty, Duration.ofSeconds(20));
    }

    private void lineTerminatorCheck(String term, int chunk, boolean usePoll) throws Exception {
        try (EchoServer s = new EchoServer(chunk, null)) {
            EchoClient c = new EchoClient(Terminator.of(bytes(term)), s.port(), chunk);
            c.push(bytes("hello "));
            c.push(bytes("world" + term));
            c.push(bytes("I'm not dead yet!" + term));
            c.push(QUIT);
            runUntilClosed(usePoll);
            assertEquals(List.of("hello world", "I'm not dead yet!"), c.contents, "terminator " + term + ", chunk " + chunk);
        }
    }

    @ParameterizedTest(name = "usePoll={0}")
    @ValueSource(booleans = {false, true})
    void oneByteLineTerminatorSplitsEchoedLinesForEveryChunkSize(boolean usePoll) throws Exception {
        for (int chunk = 1; chunk <= 3; chunk++) {
            lineTerminatorCheck("\n", chunk, usePoll);
        }
    }

    @ParameterizedTest(name = "usePoll={0}")
    @ValueSource(booleans = {false, true})
    void twoByteLineTerminatorIsFoundAcrossReads(boolean usePoll) throws Exception {
        for (int chunk = 1; chunk <= 3; chunk++) {
            lineTerminatorCheck("\r\n", chunk, usePoll);
        }
    }

    @ParameterizedTest(name = "usePoll={0}")
    @ValueSource(booleans = {false, true})
    void threeByteLineTerminatorIsFoundAcrossReads(boolean usePoll) throws Exception {
        for (int chunk = 1; chunk <= 3; chunk++) {
            lineTerminatorCheck("qqq", chunk, usePoll);
        }
    }

    @ParameterizedTest(name = "usePoll={0}")
    @ValueSource(booleans = {false, true})
    void numericTerminatorCollectsExactlyThatManyBytesOnce(boolean usePoll) throws Exception {
        for (int termLen : new int[] {1, 6}) {
            try (EchoServer s = new EchoServer(1, null)) {
                String data = "hello world, I'm not dead yet!\n";
                EchoClient c = new EchoClient(Terminator.count(termLen), s.port(), 65536);
                c.push(bytes(data));
                c.push(QUIT);
                runUntilClosed(usePoll);
                assertEquals(List.of(data.substring(0, termLen)), c.contents);
                assertEquals(Terminator.count(0), c.getTerminator(), "a count terminator counts down to 0");
            }
        }
    }

    @ParameterizedTest(name = "usePoll={0}")
    @ValueSource(booleans = {false, true})
    void noneTerminatorCollectsEverythingUntilClose(boolean usePoll) throws Exception {
        try (EchoServer s = new EchoServer(1, null)) {
            String data = "hello world, I'm not dead yet!\n";
            EchoClient c = new EchoClient(Terminator.NONE, s.port(), 65536);
            c.push(bytes(data));
            c.push(QUIT);
            runUntilClosed(usePoll);
            assertEquals(List.of(), c.contents);
            assertEquals(data, text(c.buffer.toByteArray()));
        }
    }

    @ParameterizedTest(name = "usePoll={0}")
    @ValueSource(booleans = {false, true})
    void simpleProducerWithSmallBufferSendsEverything(boolean usePoll) throws Exception {
        try (EchoServer s = new EchoServer(1, null)) {
            EchoClient c = new EchoClient(Terminator.of(bytes("\n")), s.port(), 65536);
            c.pushWithProducer(new SimpleProducer(bytes("hello world\nI'm not dead yet!\nQUIT\n"), 8));
            runUntilClosed(usePoll);
            assertEquals(List.of("hello world", "I'm not dead yet!"), c.contents);
        }
    }

    @ParameterizedTest(name = "usePoll={0}")
    @ValueSource(booleans = {false, true})
    void lambdaProducerReturningEverythingAtOnceIsSent(boolean usePoll) throws Exception {
        // test_string_producer: Python passes a bytes object as the producer
        try (EchoServer s = new EchoServer(1, null)) {
            EchoClient c = new EchoClient(Terminator.of(bytes("\n")), s.port(), 65536);
            byte[][] once = {bytes("hello world\nI'm not dead yet!\nQUIT\n")};
            c.pushWithProducer(() -> {
                byte[] d = once[0];
                once[0] = new byte[0];
                return d;
            });
            runUntilClosed(usePoll);
            assertEquals(List.of("hello world", "I'm not dead yet!"), c.contents);
        }
    }

    @ParameterizedTest(name = "usePoll={0}")
    @ValueSource(booleans = {false, true})
    void emptyLineIsAnEmptyMessage(boolean usePoll) throws Exception {
        try (EchoServer s = new EchoServer(1, null)) {
            EchoClient c = new EchoClient(Terminator.of(bytes("\n")), s.port(), 65536);
            c.push(bytes("hello world\n\nI'm not dead yet!\n"));
            c.push(QUIT);
            runUntilClosed(usePoll);
            assertEquals(List.of("hello world", "", "I'm not dead yet!"), c.contents);
        }
    }

    @ParameterizedTest(name = "usePoll={0}")
    @ValueSource(booleans = {false, true})
    void closeWhenDoneSendsEverythingThenCloses(boolean usePoll) throws Exception {
        CountDownLatch resend = new CountDownLatch(1);
        try (EchoServer s = new EchoServer(1, resend)) {
            EchoClient c = new EchoClient(Terminator.of(bytes("\n")), s.port(), 65536);
            c.push(bytes("hello world\nI'm not dead yet!\n"));
            c.push(QUIT);
            c.closeWhenDone();
            runUntilClosed(usePoll);
            resend.countDown(); // the server echoes only after the client closed
            assertEquals(List.of(), c.contents);
            assertEquals("hello world\nI'm not dead yet!\n", text(s.received.get(10, TimeUnit.SECONDS)),
                    "everything queued before closeWhenDone() reached the server");
            assertTrue(c.isClosed());
        }
    }

    @ParameterizedTest(name = "usePoll={0}")
    @ValueSource(booleans = {false, true})
    void pushAcceptsBytesAndTextAndRejectsNull(boolean usePoll) throws Exception {
        try (EchoServer s = new EchoServer(1, null)) {
            EchoClient c = new EchoClient(Terminator.of(bytes("\n")), s.port(), 65536);
            c.push(bytes("bytes\n"));
            c.push("bytes\n");
            c.push(java.util.Arrays.copyOfRange(bytes("xbytes\n"), 1, 7));
            NullPointerException e = assertThrows(NullPointerException.class, () -> c.push((byte[]) null));
            assertTrue(e.getMessage().contains("push(null)"), e.getMessage());
            c.push(QUIT);
            runUntilClosed(usePoll);
            assertEquals(List.of("bytes", "bytes", "bytes"), c.contents);
        }
    }

    @Test
    void readEventWithNothingAvailableIsNotAnError() throws Exception {
        // test_blockingioerror: a spurious read event must not reach handleError
        SocketChannel[] pair = SocketPairs.loopback();
        try (SocketChannel peer = pair[1]) {
            List<Throwable> errors = new ArrayList<>();
            List<String> events = new ArrayList<>();
            AsyncChat chat = new AsyncChat(pair[0], map) {
                @Override
                public void collectIncomingData(byte[] data) {
                    events.add("c");
                }

                @Override
                public void foundTerminator() {
                    events.add("f");
                }

                @Override
                public void handleError(Throwable t) {
                    errors.add(t);
                }
            };
            chat.handleRead();
            assertEquals(List.of(), errors);
            assertEquals(List.of(), events);
            assertTrue(chat.isConnected());
        }
    }

    @Test
    void negativeCountTerminatorIsRejected() {
        AsyncChat chat = new AsyncChat(map) {
            @Override
            public void foundTerminator() {
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> chat.setTerminator(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }

    @Test
    void findPrefixAtEndFindsThePartialTerminator() {
        assertEquals(1, AsyncChat.findPrefixAtEnd(bytes("qwerty\r"), bytes("\r\n")));
        assertEquals(0, AsyncChat.findPrefixAtEnd(bytes("qwertydkjf"), bytes("\r\n")));
    }
}
