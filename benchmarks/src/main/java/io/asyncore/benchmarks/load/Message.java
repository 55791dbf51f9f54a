package io.asyncore.benchmarks.load;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes the generator sends and the connections it sends them on. A message is 64 bytes
 * ending in a newline, so line-oriented servers (AsyncChat) echo it as they are.
 */
final class Message {
    static final int SIZE = 64;

    private Message() {
    }

    /** A read-only buffer of {@code count} messages back to back. */
    static ByteBuffer lines(int count) {
        ByteBuffer b = ByteBuffer.allocateDirect(SIZE * count);
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < SIZE - 1; j++) {
                b.put((byte) ('a' + (i + j) % 26));
            }
            b.put((byte) '\n');
        }
        return b.flip().asReadOnlyBuffer();
    }

    /**
     * Checks that the {@code n} bytes just read into {@code in}, from index 0, are the bytes of
     * {@code expected} (repeated without end) from stream offset {@code offset} on.
     *
     * @throws IOException naming the first wrong byte: the server does not echo faithfully
     */
    static void verify(ByteBuffer in, int n, ByteBuffer expected, long offset) throws IOException {
        int size = expected.limit();
        int at = (int) (offset % size);
        for (int i = 0; i < n; i++) {
            if (in.get(i) != expected.get(at)) {
                throw new IOException("the server echoed stream byte " + (offset + i) + " as " + in.get(i)
                        + " instead of " + expected.get(at) + ": it does not echo faithfully");
            }
            if (++at == size) {
                at = 0;
            }
        }
    }

    /** Opens {@code count} connections one after the other, blocking, then switches them to non-blocking. */
    static List<SocketChannel> connect(InetSocketAddress server, int count) throws IOException {
        List<SocketChannel> out = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                SocketChannel ch = SocketChannel.open();
                out.add(ch);
                configure(ch);
                ch.connect(server);
                ch.configureBlocking(false);
            }
        } catch (IOException e) {
            closeAll(out);
            throw new IOException("connection " + (out.size()) + " of " + count + " to " + server + " failed: " + e.getMessage(), e);
        }
        return out;
    }

    /** No Nagle delay, and a reset instead of TIME_WAIT on close, so 10,000-connection runs do not use up ports. */
    static void configure(SocketChannel ch) throws IOException {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.setOption(StandardSocketOptions.SO_LINGER, 0);
    }

    static void closeAll(List<SocketChannel> channels) {
        for (SocketChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing with a reset: nothing left to report
            }
        }
    }
}
