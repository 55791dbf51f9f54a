package io.asyncore.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/** Two connected sockets made with blocking calls, without a loop: index 0 connected, index 1 was accepted. */
public final class SocketPairs {
    private SocketPairs() {
    }

    /** A connected TCP pair on 127.0.0.1, both blocking: {@code [0]} the connecting side, {@code [1]} the accepted one. */
    public static SocketChannel[] loopback() throws IOException {
        return of(StandardProtocolFamily.INET, new InetSocketAddress("127.0.0.1", 0));
    }

    /**
     * A connected pair of {@code family}, both blocking: INET on 127.0.0.1, INET6 on ::1, UNIX at
     * {@code pair.sock} in {@code dir} (which must not hold one yet).
     */
    public static SocketChannel[] of(StandardProtocolFamily family, Path dir) throws IOException {
        SocketAddress bindTo = switch (family) {
            case INET -> new InetSocketAddress("127.0.0.1", 0);
            case INET6 -> new InetSocketAddress("::1", 0);
            case UNIX -> UnixDomainSocketAddress.of(dir.resolve("pair.sock"));
        };
        return of(family, bindTo);
    }

    /**
     * A connected pair of {@code family} through a listener bound to {@code bindTo} and closed
     * again, both blocking: {@code [0]} the connecting side, {@code [1]} the accepted one.
     */
    public static SocketChannel[] of(ProtocolFamily family, SocketAddress bindTo) throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open(family)) {
            listener.bind(bindTo);
            SocketChannel connecting = SocketChannel.open(family);
            try {
                connecting.connect(listener.getLocalAddress());
                return new SocketChannel[] {connecting, listener.accept()};
            } catch (IOException | RuntimeException e) {
                connecting.close();
                throw e;
            }
        }
    }

    /**
     * Reads {@code peer} (blocking) on another thread until the end of its stream, and completes
     * with everything it read: the far end of a pair, for a test that checks what a dispatcher sent.
     */
    public static java.util.concurrent.CompletableFuture<byte[]> readAll(SocketChannel peer) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(65536);
            try {
                while (peer.read(buf.clear()) >= 0) {
                    out.write(buf.array(), 0, buf.position());
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return out.toByteArray();
        });
    }
}
