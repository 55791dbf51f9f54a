package io.asyncore.chat;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.Asyncore;
import io.asyncore.SocketMap;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/** Test helpers: drive a map until a condition holds, loopback socket pairs, a peer reading to the end. */
final class Loops {
    private Loops() {
    }

    /** Runs passes of 10 ms at most until {@code done} holds; fails if it does not within {@code limit}. */
    static void runUntil(SocketMap map, boolean usePoll, BooleanSupplier done, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not reached within " + limit);
            Asyncore.loop(Duration.ofMillis(10), usePoll, map, 1);
        }
    }

    /** Two connected loopback sockets, both blocking; [0] is the connecting side. */
    static SocketChannel[] pair() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            SocketChannel a = SocketChannel.open(server.getLocalAddress());
            SocketChannel b = server.accept();
            return new SocketChannel[] {a, b};
        }
    }

    /** Two connected sockets of {@code family} (INET on 127.0.0.1, INET6 on ::1, UNIX in {@code dir}), both blocking. */
    static SocketChannel[] pair(StandardProtocolFamily family, Path dir) throws IOException {
        SocketAddress bindTo = switch (family) {
            case INET -> new InetSocketAddress("127.0.0.1", 0);
            case INET6 -> new InetSocketAddress("::1", 0);
            case UNIX -> UnixDomainSocketAddress.of(dir.resolve("chat.sock"));
        };
        try (ServerSocketChannel server = ServerSocketChannel.open(family)) {
            server.bind(bindTo);
            SocketChannel a = SocketChannel.open(family);
            a.connect(server.getLocalAddress());
            SocketChannel b = server.accept();
            return new SocketChannel[] {a, b};
        }
    }

    /** Reads {@code peer} (blocking) on another thread until end of stream; completes with all it read. */
    static CompletableFuture<byte[]> readAll(SocketChannel peer) {
        return CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(65536);
            try {
                while (peer.read(buf.clear()) >= 0) {
                    out.write(buf.array(), 0, buf.position());
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
            return out.toByteArray();
        });
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static ByteBuffer buffer(String s) {
        return ByteBuffer.wrap(bytes(s));
    }
}
