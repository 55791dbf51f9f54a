package io.asyncore.chat;

import static io.asyncore.chat.Latin1.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.testing.RunLoop;
import io.asyncore.testing.SocketPairs;
import io.asyncore.Asyncore;
import io.asyncore.SocketMap;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** push, producers, closeWhenDone, discardBuffers, write interest: asynchat's output side. */
@Timeout(30)
class OutgoingQueueTest {
    private final SocketMap map = new SocketMap();

    @AfterEach
    void closeMap() {
        map.close();
    }

    /** Records each send's size and the number of write events. */
    private class Sender extends AsyncChat {
        final List<Integer> sends = new ArrayList<>();
        int writeEvents;
        long fileSends;
        long fileBytes;

        Sender(SocketChannel sock) {
            super(sock, map);
        }

        @Override
        public int send(ByteBuffer data) throws IOException {
            int n = super.send(data);
            sends.add(n);
            return n;
        }

        @Override
        public long sendFile(FileChannel file, long position, long count) throws IOException {
            long n = super.sendFile(file, position, count);
            fileSends++;
            fileBytes += n;
            return n;
        }

        @Override
        public void handleWrite() throws IOException {
            writeEvents++;
            super.handleWrite();
        }

        @Override
        public void foundTerminator() {
        }

        boolean announces() {
            return announcesInterest();
        }
    }

    private static byte[] readExactly(SocketChannel peer, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            if (peer.read(buf) < 0) {
                break;
            }
        }
        return java.util.Arrays.copyOf(buf.array(), buf.position());
    }

    @Test
    void pushSplitsDataIntoOutBufferSizePiecesAndSendsOnePiecePerCall() throws Exception {
        SocketChannel[] pair = SocketPairs.loopback();
        try (SocketChannel peer = pair[1]) {
            Sender chat = new Sender(pair[0]);
            chat.setAcOutBufferSize(4);
            chat.push(bytes("0123456789"));
            assertEquals(List.of(4), chat.sends, "push sends one piece at once");
            assertTrue(chat.writable());
            chat.initiateSend();
            chat.initiateSend();
            chat.initiateSend();
            assertEquals(List.of(4, 4, 2), chat.sends);
            assertFalse(chat.writable(), "nothing queued and connected: not writable");
            assertEquals("0123456789", Latin1.text(readExactly(peer, 10)));
        }
    }

    @Test
    void manySmallPushesQueuedBehindAFullKernelBufferGoOutInOneGatheringSendCall() throws Exception {
        SocketChannel[] pair = SocketPairs.loopback();
        try (SocketChannel peer = pair[1]) {
            List<Integer> gathered = new ArrayList<>();
            boolean[] kernelFull = {true};
            AsyncChat chat = new AsyncChat(pair[0], map) {
                @Override
                public int send(ByteBuffer data) throws IOException {
                    return kernelFull[0] ? 0 : super.send(data);
                }

                @Override
                public long send(ByteBuffer[] data, int offset, int length) throws IOException {
                    if (kernelFull[0]) {
                        return 0;
                    }
                    gathered.add(length);
                    return super.send(data, offset, length);
                }

                @Override
                public void foundTerminator() {
                }
            };
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                String line = "line " + i + "\r\n";
                expected.append(line);
                chat.push(line);
            }
            assertTrue(chat.writable(), "all 100 lines are queued");
            kernelFull[0] = false;
            chat.initiateSend();
            assertEquals(List.of(100), gathered, "one send call took all 100 queued lines");
            assertFalse(chat.writable(), "the queue is empty after one call");
            assertEquals(expected.toString(), Latin1.text(readExactly(peer, expected.length())));
        }
    }

    @Test
    void theRepliesToEveryMessageOfOneReadGoOutInOneSendCall() throws Exception {
        SocketChannel[] pair = SocketPairs.loopback();
        try (SocketChannel peer = pair[1]) {
            List<String> sendCalls = new ArrayList<>();
            AsyncChat chat = new AsyncChat(pair[0], map) {
                {
                    setTerminator("\n");
                }

                @Override
                public int send(ByteBuffer data) throws IOException {
                    sendCalls.add("one buffer");
                    return super.send(data);
                }

                @Override
                public long send(ByteBuffer[] data, int offset, int length) throws IOException {
                    sendCalls.add(length + " buffers");
                    return super.send(data, offset, length);
                }

                @Override
                public void foundTerminator() throws IOException {
                    push(takeIncomingData());
                    push("\n");
                }
            };
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                lines.append("line ").append(i).append('\n');
            }
            peer.write(Latin1.buffer(lines.toString()));
            RunLoop.until(map, false, () -> !sendCalls.isEmpty(), Duration.ofSeconds(10));
            assertEquals(List.of("40 buffers"), sendCalls, "20 messages, 40 pushes, one send call");
            assertEquals(lines.toString(), Latin1.text(readExactly(peer, lines.length())));
            assertFalse(chat.writable());
        }
    }

    @Test
    void aReplyPushedJustBeforeCloseInsideFoundTerminatorStillReachesThePeer() throws Exception {
        SocketChannel[] pair = SocketPairs.loopback();
        try (SocketChannel peer = pair[1]) {
            AsyncChat chat = new AsyncChat(pair[0], map) {
                {
                    setTerminator("\n");
                }

                @Override
                public void foundTerminator() throws IOException {
                    takeIncomingData();
                    push("bye\n");
                    close();
                }
            };
            peer.write(Latin1.buffer("quit\n"));
            RunLoop.until(map, false, chat::isClosed, Duration.ofSeconds(10));
            assertEquals("bye\n", Latin1.text(readExactly(peer, 100)), "the reply, then end of stream");
        }
    }

    @Test
    void producerChunksLongerThanTheOutBufferAreSentInPiecesAndTheProducerLeavesOnALaterCall() throws Exception {
        SocketChannel[] pair = SocketPairs.loopback();
        try (SocketChannel peer = pair[1]) {
            Sender chat = new Sender(pair[0]);
            chat.setAcOutBufferSize(4);
            chat.pushWithProducer(new SimpleProducer(bytes("0123456789"), 6));
            chat.initiateSend();
            chat.initiateSend();
            assertEquals(List.of(4, 2, 4), chat.sends);
            assertTrue(chat.writable(), "the exhausted producer is still queued until asked once more");
            chat.initiateSend();
            assertEquals(List.of(4, 2, 4), chat.sends);
            assertFalse(chat.writable());
            assertEquals("0123456789", Latin1.text(readExactly(peer, 10)));
        }
    }

    @Test
    void closeWhenDoneClosesOnTheCallAfterTheLastByteWasSent() throws Exception {
        SocketChannel[] pair = SocketPairs.loopback();
        try (SocketChannel peer = pair[1]) {
            Sender chat = new Sender(pair[0]);
            chat.push(bytes("abc"));
            chat.closeWhenDone();
            assertFalse(chat.isClosed());
            assertTrue(chat.writable());
            chat.initiateSend();
            assertTrue(chat.isClosed());
            assertEquals("abc", Latin1.text(SocketPairs.readAll(peer).get(10, TimeUnit.SECONDS)));
        }
    }

    @Test
    void pushAfterCloseWhenDoneFailsWithAClearMessage() throws Exception {
        SocketChannel[] pair = SocketPairs.loopback();
        try (SocketChannel peer = pair[1]) {
            Sender chat = new Sender(pair[0]);
            chat.closeWhenDone();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> chat.push("late"));
            assertTrue(e.getMessage().contains("closeWhenDone()"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> chat.pushWithProducer(new SimpleProducer(bytes("x"))));
            assertThrows(NullPointerException.class, () -> chat.pushWithProducer(null));
        }
    }

    @Test
    void discardBuffersDropsQueuedOutputAndThePendingClose() throws Exception {
        SocketChannel[] pair = SocketPairs.loopback();
        try (SocketChannel peer = pair[1]) {
            Sender chat = new Sender(pair[0]);
            chat.setAcOutBufferSize(2);
            chat.push(bytes("dropped"));
            chat.closeWhenDone();
            chat.discardBuffers();
            assertFalse(chat.writable());
            chat.push(bytes("kept"));
            chat.initiateSend();
            chat.initiateSend();
            assertFalse(chat.isClosed(), "the discarded closeWhenDone no longer closes");
            assertEquals("drkept", Latin1.text(readExactly(peer, 6)));
        }
    }

    @Test
    void pushOnAClosedChatIsIgnored() throws Exception {
        SocketChannel[] pair = SocketPairs.loopback();
        try (SocketChannel peer = pair[1]) {
            Sender chat = new Sender(pair[0]);
            chat.close();
            chat.push(bytes("nobody listens"));
            assertEquals(List.of(), chat.sends);
        }
    }

    @Test
    void closeDropsTheQueueAndClosesCloseableProducers() throws Exception {
        Sender chat = new Sender(null); // never connected: nothing is sent
        boolean[] closed = {false};
        class Closeable implements Producer, AutoCloseable {
            @Override
            public byte[] more() {
                return bytes("x");
            }

            @Override
            public void close() {
                closed[0] = true;
            }
        }
        chat.pushWithProducer(new Closeable());
        assertTrue(chat.writable());
        chat.close();
        assertTrue(closed[0]);
    }

    @Test
    void nothingIsSentBeforeTheConnectCompletesAndAPushFromHandleConnectGoesOutAfter() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            boolean[] connectedInsideHandleConnect = {true};
            AsyncChat client = new AsyncChat(map) {
                @Override
                public void handleConnect() throws IOException {
                    connectedInsideHandleConnect[0] = isConnected();
                    push("hello\n");
                }

                @Override
                public void foundTerminator() {
                }
            };
            client.createSocket();
            client.connect(listener.getLocalAddress());
            assertTrue(client.writable(), "writable while the connect is pending");
            RunLoop.until(map, false, () -> client.isConnected() && !client.writable(), Duration.ofSeconds(10));
            assertFalse(connectedInsideHandleConnect[0], "isConnected() is false inside handleConnect, as in Python");
            try (SocketChannel accepted = listener.accept()) {
                assertEquals("hello\n", Latin1.text(readExactly(accepted, 6)));
            }
        }
    }

    @Test
    void idleChatAnnouncesInterestAndGetsNoWriteEventsUntilSomethingIsQueued() throws Exception {
        SocketChannel[] pair = SocketPairs.loopback();
        try (SocketChannel peer = pair[1]) {
            Sender chat = new Sender(pair[0]);
            assertTrue(chat.announces(), "AsyncChat's readable()/writable() are announced, not polled");
            Asyncore.loop(Duration.ZERO, false, map, 50);
            assertEquals(0, chat.writeEvents, "an idle connected chat asks for no write events");

            byte[] big = new byte[8 << 20];
            new Random(7).nextBytes(big);
            chat.push(big);
            assertTrue(chat.writable(), "8 MiB do not fit in the socket buffers at once");
            CompletableFuture<byte[]> got = CompletableFuture.supplyAsync(() -> {
                try {
                    return readExactly(peer, big.length);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            RunLoop.until(map, false, () -> !chat.writable(), Duration.ofSeconds(20));
            assertTrue(chat.writeEvents > 0);
            assertArrayEquals(big, got.get(20, TimeUnit.SECONDS));
            int before = chat.writeEvents;
            Asyncore.loop(Duration.ZERO, true, map, 50);
            assertEquals(before, chat.writeEvents, "write interest ends with the queue");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(StandardProtocolFamily.class)
    void fileProducerSendsTheFileWithoutCopyingOverEverySocketFamily(StandardProtocolFamily family, @TempDir Path dir)
            throws Exception {
        byte[] content = new byte[3 << 20];
        new Random(11).nextBytes(content);
        Path file = dir.resolve("payload.bin");
        Files.write(file, content);
        SocketChannel[] pair = SocketPairs.of(family, dir);
        try (SocketChannel peer = pair[1]) {
            CompletableFuture<byte[]> got = SocketPairs.readAll(peer);
            Sender chat = new Sender(pair[0]);
            FileProducer producer = FileProducer.open(file);
            chat.pushWithProducer(producer);
            chat.closeWhenDone();
            RunLoop.until(map, false, chat::isClosed, Duration.ofSeconds(20));
            assertArrayEquals(content, got.get(20, TimeUnit.SECONDS));
            assertEquals(content.length, chat.fileBytes, "every byte went through sendFile (transferTo)");
            assertTrue(chat.fileSends >= content.length / AsyncChat.DEFAULT_BUFFER_SIZE);
            assertEquals(List.of(), chat.sends, "no byte went through the copying send()");
            assertEquals(0, producer.remaining());
        }
    }

    @Test
    void fileProducerIsAPlainProducerElsewhereAndLeavesACallersFileOpen(@TempDir Path dir) throws Exception {
        byte[] content = new byte[100_010];
        new Random(3).nextBytes(content);
        Path file = dir.resolve("f.bin");
        Files.write(file, content);
        try (FileChannel fc = FileChannel.open(file)) {
            FileProducer p = new FileProducer(fc, 10, 100_000);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            List<Integer> sizes = new ArrayList<>();
            for (byte[] chunk = p.more(); chunk.length > 0; chunk = p.more()) {
                sizes.add(chunk.length);
                out.writeBytes(chunk);
            }
            assertEquals(List.of(65536, 100_000 - 65536), sizes);
            assertArrayEquals(java.util.Arrays.copyOfRange(content, 10, 100_010), out.toByteArray());
            assertTrue(fc.isOpen());
            assertEquals(0, fc.position(), "the file's own position is untouched");
        }
    }

    @Test
    void simpleProducerHandsOutBufferSizePiecesThenEmptyArrays() {
        SimpleProducer p = new SimpleProducer(new byte[1100]);
        assertEquals(512, p.more().length);
        assertEquals(512, p.more().length);
        assertEquals(76, p.more().length);
        assertEquals(0, p.more().length);
        assertEquals(0, p.more().length);
        assertThrows(IllegalArgumentException.class, () -> new SimpleProducer(new byte[1], 0));
    }
}
