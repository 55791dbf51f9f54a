package io.asyncore;

import io.asyncore.testing.RunLoop;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.asyncore.internal.ChannelTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The transport seam can say what a TLS transport needs, with real loopback sockets under a test
 * transport: readable although the socket is not, writing although the application has nothing
 * to send, and reading although the application does not read.
 */
@Timeout(30)
class TransportSeamTest {
    private final SocketMap map = new SocketMap();
    private SocketChannel peer;
    private SocketChannel ours;

    @BeforeEach
    void connect() throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            peer = SocketChannel.open(listener.getLocalAddress());
            ours = listener.accept();
        }
    }

    @AfterEach
    void tearDown() throws IOException {
        map.close();
        peer.close();
        ours.close();
    }

    @Test
    void inputHeldByTheTransportIsDeliveredThoughTheSocketHasNoMore() throws IOException {
        Reader reader = new Reader(ours);
        Hoarding transport = new Hoarding(reader.registration);
        reader.registration.transport = transport;
        peer.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
        // The transport drains the socket on the first read and hands out one byte per call, so
        // four of the five bytes come from read events the selector never reports.
        RunLoop.until(map, false, () -> reader.got.size() == 5);
        assertEquals("hello", reader.got.toString(StandardCharsets.US_ASCII));
        assertEquals(1, transport.socketReads, "the socket was read once");
    }

    @Test
    void theTransportWritesItsOwnBytesWhileTheApplicationIsNotWritable() throws IOException {
        Reader quiet = new Reader(ours);
        Greeting transport = new Greeting(quiet.registration, "HELLO\n");
        quiet.registration.transport = transport;
        quiet.registration.interestChanged();
        RunLoop.until(map, false, () -> transport.greeting.remaining() == 0);
        Asyncore.loop(Duration.ZERO, false, map, 1); // the interest is refreshed at the start of a pass
        ByteBuffer in = ByteBuffer.allocate(6);
        while (in.hasRemaining()) {
            peer.read(in);
        }
        assertEquals("HELLO\n", new String(in.array(), StandardCharsets.US_ASCII));
        assertEquals(0, quiet.writeEvents, "the application saw no write event");
        assertEquals(0, quiet.registration.ops & SelectionKey.OP_WRITE, "write interest ends with the greeting");
    }

    @Test
    void theTransportReadsWhileTheApplicationDoesNotRead() throws IOException {
        Reader paused = new Reader(ours);
        paused.reading = false;
        Handshaking transport = new Handshaking(paused.registration);
        paused.registration.transport = transport;
        paused.registration.interestChanged();
        peer.write(ByteBuffer.wrap(new byte[] {'H'}));
        RunLoop.until(map, false, () -> transport.done);
        Asyncore.loop(Duration.ZERO, false, map, 1); // the interest is refreshed at the start of a pass
        assertEquals(0, paused.got.size(), "the application read nothing");
        assertEquals(0, paused.readEvents, "the application saw no read event");
        assertEquals(0, paused.registration.ops & SelectionKey.OP_READ, "read interest ends with the handshake");
        // The application's own reads go through the transport from then on.
        paused.reading = true;
        paused.registration.interestChanged();
        peer.write(ByteBuffer.wrap("ok".getBytes(StandardCharsets.US_ASCII)));
        RunLoop.until(map, false, () -> paused.got.size() == 2);
        assertArrayEquals("ok".getBytes(StandardCharsets.US_ASCII), paused.got.toByteArray());
    }

    /** Reads one byte per read event, while {@link #reading}; never writable. */
    private final class Reader extends Dispatcher {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        boolean reading = true;
        int readEvents;
        int writeEvents;

        Reader(SocketChannel sock) {
            super(sock, map);
        }

        @Override
        public boolean readable() {
            return reading;
        }

        @Override
        public boolean writable() {
            return false;
        }

        @Override
        protected boolean announcesInterest() {
            return true;
        }

        @Override
        public void handleRead() throws IOException {
            readEvents++;
            got.writeBytes(recv(1));
        }

        @Override
        public void handleWrite() {
            writeEvents++;
        }

        @Override
        public void handleClose() {
            close();
        }

        @Override
        public void handleError(Throwable error) {
            throw new AssertionError("handler failed", error);
        }
    }

    /** Base: the plain transport underneath, for whatever a test transport does not change. */
    private abstract static class Wrapping implements io.asyncore.internal.Transport {
        final ChannelTransport plain;
        final Registration host;

        Wrapping(Registration host) {
            this.host = host;
            this.plain = new ChannelTransport(host.channel);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return plain.read(dst);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return plain.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return plain.write(srcs, offset, length);
        }

        @Override
        public long transferFrom(FileChannel file, long position, long count) throws IOException {
            return plain.transferFrom(file, position, count);
        }

        @Override
        public void shutdownOutput() throws IOException {
            plain.shutdownOutput();
        }

        @Override
        public int interestOps(int applicationOps) {
            return applicationOps;
        }

        @Override
        public int ready(int readyOps, int applicationOps) throws IOException {
            return readyOps;
        }

        @Override
        public boolean hasBufferedInput() {
            return false;
        }
    }

    /** Drains the socket into its own buffer on the first read, then hands out what the caller asks. */
    private static final class Hoarding extends Wrapping {
        final ByteBuffer held = ByteBuffer.allocate(64).flip();
        int socketReads;

        Hoarding(Registration host) {
            super(host);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (!held.hasRemaining()) {
                held.clear();
                int n = plain.read(held);
                socketReads++;
                held.flip();
                if (n <= 0) {
                    return n;
                }
            }
            int n = Math.min(dst.remaining(), held.remaining());
            dst.put(held.slice(held.position(), n));
            held.position(held.position() + n);
            if (held.hasRemaining()) {
                host.inputBuffered();
            }
            return n;
        }

        @Override
        public boolean hasBufferedInput() {
            return held.hasRemaining();
        }
    }

    /** Has bytes of its own to send first, as a handshake does; asks for write readiness until they are out. */
    private static final class Greeting extends Wrapping {
        final ByteBuffer greeting;

        Greeting(Registration host, String text) {
            super(host);
            greeting = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public int interestOps(int applicationOps) {
            return greeting.hasRemaining() ? applicationOps | SelectionKey.OP_WRITE : applicationOps;
        }

        @Override
        public int ready(int readyOps, int applicationOps) throws IOException {
            if ((readyOps & SelectionKey.OP_WRITE) != 0 && greeting.hasRemaining()) {
                plain.write(greeting);
                if (!greeting.hasRemaining()) {
                    host.interestChanged();
                }
            }
            return readyOps & applicationOps;
        }
    }

    /** Must read one byte from the peer before the application may read, as a handshake must. */
    private static final class Handshaking extends Wrapping {
        boolean done;

        Handshaking(Registration host) {
            super(host);
        }

        @Override
        public int interestOps(int applicationOps) {
            return done ? applicationOps : applicationOps | SelectionKey.OP_READ;
        }

        @Override
        public int ready(int readyOps, int applicationOps) throws IOException {
            if (!done && (readyOps & SelectionKey.OP_READ) != 0) {
                ByteBuffer one = ByteBuffer.allocate(1);
                if (plain.read(one) == 1) {
                    assertEquals('H', one.get(0));
                    done = true;
                    host.interestChanged();
                }
                return readyOps & applicationOps & ~SelectionKey.OP_READ;
            }
            return readyOps & applicationOps;
        }
    }
}
