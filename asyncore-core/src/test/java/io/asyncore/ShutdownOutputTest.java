package io.asyncore;

import io.asyncore.testing.RunLoop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Dispatcher.shutdownOutput: a half-close through the transport. */
@Timeout(30)
class ShutdownOutputTest {
    @Test
    void thePeerReadsEndOfStreamAndCanStillSendBack() throws IOException {
        try (SocketMap map = new SocketMap(); ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            try (SocketChannel peer = SocketChannel.open(listener.getLocalAddress()); SocketChannel ours = listener.accept()) {
                Dispatcher d = new Dispatcher(ours, map);
                assertEquals(3, d.send("bye".getBytes(StandardCharsets.US_ASCII)));
                d.shutdownOutput();
                ByteBuffer in = ByteBuffer.allocate(16);
                int n;
                while ((n = peer.read(in)) >= 0) {
                    assertTrue(n > 0 || in.hasRemaining());
                }
                assertEquals("bye", new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII));
                peer.write(ByteBuffer.wrap("back".getBytes(StandardCharsets.US_ASCII)));
                ByteBuffer got = ByteBuffer.allocate(4);
                RunLoop.until(map, false, () -> {
                    try {
                        d.recv(got);
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                    return !got.hasRemaining();
                });
                assertEquals("back", new String(got.array(), StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void aListenerCannotHalfClose() throws IOException {
        try (SocketMap map = new SocketMap()) {
            Dispatcher d = new Dispatcher(map);
            d.createSocket();
            d.bind(new InetSocketAddress("127.0.0.1", 0));
            d.listen(5);
            IllegalStateException e = assertThrows(IllegalStateException.class, d::shutdownOutput);
            assertTrue(e.getMessage().contains("needs a connected stream socket"), e.getMessage());
        }
    }
}
