package io.asyncore.chat;

import io.asyncore.testing.RunLoop;
import io.asyncore.testing.SocketPairs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.Dispatcher;
import io.asyncore.SocketMap;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Zero copy as an interface: any producer implementing ZeroCopyProducer sends its own data; plain producers are asked for it. */
@Timeout(30)
class ZeroCopyProducerTest {
    private final SocketMap map = new SocketMap();

    @AfterEach
    void closeMap() {
        map.close();
    }

    /** Counts what went through the copying sends and through sendFile. */
    private class Counting extends AsyncChat {
        long copiedBytes;
        long fileBytes;
        final List<Throwable> errors = new ArrayList<>();

        Counting(SocketChannel sock) {
            super(sock, map);
        }

        @Override
        public int send(ByteBuffer data) throws IOException {
            int n = super.send(data);
            copiedBytes += n;
            return n;
        }

        @Override
        public long send(ByteBuffer[] data, int offset, int length) throws IOException {
            long n = super.send(data, offset, length);
            copiedBytes += n;
            return n;
        }

        @Override
        public long sendFile(FileChannel file, long position, long count) throws IOException {
            long n = super.sendFile(file, position, count);
            fileBytes += n;
            return n;
        }

        @Override
        public void handleError(Throwable error) {
            errors.add(error);
            super.handleError(error);
        }

        @Override
        public void foundTerminator() {
        }
    }

    /** A user's own producer over a region of a file it opened, sent through the target's sendFile. */
    private static final class FileRegion implements ZeroCopyProducer, AutoCloseable {
        private final FileChannel file;
        private final long end;
        private long position;
        final List<Integer> maxes = new ArrayList<>();
        final List<Dispatcher> targets = new ArrayList<>();
        int moreCalls;
        boolean closed;

        FileRegion(FileChannel file, long position, long count) {
            this.file = file;
            this.position = position;
            this.end = position + count;
        }

        @Override
        public boolean hasRemaining() {
            return position < end;
        }

        @Override
        public long transferTo(Dispatcher target, int max) throws IOException {
            maxes.add(max);
            targets.add(target);
            long n = target.sendFile(file, position, Math.min(max, end - position));
            position += n;
            return n;
        }

        @Override
        public byte[] more() {
            moreCalls++;
            throw new AssertionError("more() called: the copying path was taken");
        }

        @Override
        public void close() throws IOException {
            closed = true;
            file.close();
        }
    }

    /** The ZeroCopyProducer Javadoc's example: a direct (or mapped) buffer sent with the target's send(ByteBuffer). */
    private static final class DirectBufferProducer implements ZeroCopyProducer {
        private final ByteBuffer data;
        int moreCalls;

        DirectBufferProducer(ByteBuffer data) {
            this.data = data;
        }

        @Override
        public boolean hasRemaining() {
            return data.hasRemaining();
        }

        @Override
        public long transferTo(Dispatcher target, int max) throws IOException {
            int limit = data.limit();
            data.limit(data.position() + Math.min(max, data.remaining()));
            try {
                return target.send(data);
            } finally {
                data.limit(limit);
            }
        }

        @Override
        public byte[] more() {
            moreCalls++;
            byte[] piece = new byte[Math.min(65536, data.remaining())];
            data.get(piece);
            return piece;
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Writes {@code size} random bytes to {@code path}; returns them. */
    private static byte[] randomFile(Path path, int size, long seed) throws IOException {
        byte[] content = random(size, seed);
        Files.write(path, content);
        return content;
    }

    @Test
    void ownProducerImplementingZeroCopyProducerSendsItsFileRegionThroughSendFile(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("region.bin");
        byte[] content = randomFile(path, 1_000_123, 5);
        SocketChannel[] pair = SocketPairs.loopback();
        try (SocketChannel peer = pair[1]) {
            CompletableFuture<byte[]> got = SocketPairs.readAll(peer);
            Counting chat = new Counting(pair[0]);
            chat.setAcOutBufferSize(100_000);
            FileRegion region = new FileRegion(FileChannel.open(path), 123, content.length - 123);
            chat.pushWithProducer(region);
            chat.push("trailer");
            chat.closeWhenDone();
            RunLoop.until(map, false, chat::isClosed, Duration.ofSeconds(20));

            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.write(content, 123, content.length - 123);
            expected.writeBytes(Latin1.bytes("trailer"));
            assertArrayEquals(expected.toByteArray(), got.get(20, TimeUnit.SECONDS), "every byte arrives once, in order");
            assertEquals(content.length - 123, chat.fileBytes, "the region went through sendFile");
            assertEquals(7, chat.copiedBytes, "only the pushed trailer went through a copying send");
            assertEquals(0, region.moreCalls);
            assertTrue(region.targets.stream().allMatch(t -> t == chat), "the chat is the target");
            assertTrue(region.maxes.stream().allMatch(m -> m == 100_000), "max is acOutBufferSize: " + region.maxes);
            assertTrue(region.closed, "an exhausted AutoCloseable producer is closed");
            assertTrue(chat.errors.isEmpty(), chat.errors.toString());
        }
    }

    @Test
    void ownProducerOverADirectBufferSendsWithoutBeingAskedForMore() throws Exception {
        byte[] content = random(300_000, 7);
        ByteBuffer direct = ByteBuffer.allocateDirect(content.length).put(content).flip();
        SocketChannel[] pair = SocketPairs.loopback();
        try (SocketChannel peer = pair[1]) {
            CompletableFuture<byte[]> got = SocketPairs.readAll(peer);
            Counting chat = new Counting(pair[0]);
            DirectBufferProducer producer = new DirectBufferProducer(direct);
            chat.pushWithProducer(producer);
            assertEquals(0, chat.pendingBytes(), "data a producer sends itself is never queued");
            chat.closeWhenDone();
            RunLoop.until(map, false, chat::isClosed, Duration.ofSeconds(20));

            assertArrayEquals(content, got.get(20, TimeUnit.SECONDS));
            assertEquals(0, producer.moreCalls);
            assertEquals(content.length, chat.copiedBytes, "sent by the producer through the chat's send(ByteBuffer)");
        }
    }

    @Test
    void plainProducerIsStillAskedForMoreAndSentByTheQueue() throws Exception {
        byte[] content = random(200_000, 9);
        SocketChannel[] pair = SocketPairs.loopback();
        try (SocketChannel peer = pair[1]) {
            CompletableFuture<byte[]> got = SocketPairs.readAll(peer);
            Counting chat = new Counting(pair[0]);
            int[] calls = {0};
            Producer plain = new Producer() {
                private int at;

                @Override
                public byte[] more() {
                    calls[0]++;
                    int n = Math.min(5000, content.length - at);
                    byte[] piece = Arrays.copyOfRange(content, at, at + n);
                    at += n;
                    return piece;
                }
            };
            chat.pushWithProducer(plain);
            chat.closeWhenDone();
            RunLoop.until(map, false, chat::isClosed, Duration.ofSeconds(20));

            assertArrayEquals(content, got.get(20, TimeUnit.SECONDS));
            assertEquals(content.length / 5000 + 1, calls[0], "asked once per 5000-byte piece, then once more for the end");
            assertEquals(content.length, chat.copiedBytes);
            assertEquals(0, chat.fileBytes, "a plain producer never takes the zero-copy path");
        }
    }

    @Test
    void anExhaustedZeroCopyProducerIsDroppedAndClosedWithoutATransfer(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("empty.bin");
        Files.write(path, new byte[0]);
        SocketChannel[] pair = SocketPairs.loopback();
        try (SocketChannel peer = pair[1]) {
            Counting chat = new Counting(pair[0]);
            FileRegion empty = new FileRegion(FileChannel.open(path), 0, 0);
            chat.pushWithProducer(empty);
            assertTrue(empty.maxes.isEmpty(), "transferTo is not called once hasRemaining() is false");
            assertTrue(empty.closed);
            assertFalse(chat.writable(), "the queue is empty again");
        }
    }

    @Test
    void aZeroCopyProducersIOExceptionGoesToHandleError() throws Exception {
        SocketChannel[] pair = SocketPairs.loopback();
        try (SocketChannel peer = pair[1]) {
            Counting chat = new Counting(pair[0]);
            IOException failure = new IOException("disk gone");
            chat.pushWithProducer(new ZeroCopyProducer() {
                @Override
                public boolean hasRemaining() {
                    return true;
                }

                @Override
                public long transferTo(Dispatcher target, int max) throws IOException {
                    throw failure;
                }

                @Override
                public byte[] more() {
                    throw new AssertionError("more() called");
                }
            });
            assertEquals(1, chat.errors.size());
            assertSame(failure, chat.errors.get(0));
            assertTrue(chat.isClosed(), "the default handleError closes");
        }
    }

    @Test
    void fileProducerSendsThroughAnyDispatcherNotOnlyAChat(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("f.bin");
        byte[] content = randomFile(path, 150_000, 13);
        SocketChannel[] pair = SocketPairs.loopback();
        try (SocketChannel peer = pair[1]; FileProducer producer = FileProducer.open(path)) {
            CompletableFuture<byte[]> got = SocketPairs.readAll(peer);
            Dispatcher plain = new Dispatcher(pair[0], map) {
                @Override
                public boolean writable() {
                    return producer.hasRemaining();
                }

                @Override
                public void handleWrite() throws IOException {
                    producer.transferTo(this, 10_000);
                }
            };
            RunLoop.until(map, false, () -> !producer.hasRemaining(), Duration.ofSeconds(20));
            plain.close();
            assertArrayEquals(content, got.get(20, TimeUnit.SECONDS));
            assertEquals(0, producer.remaining());
        }
    }
}
