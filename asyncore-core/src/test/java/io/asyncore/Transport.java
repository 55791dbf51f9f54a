package io.asyncore;

import io.asyncore.testing.RunLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** One permutation of the contract suite: an address family and a dispatch order (Python's select or poll). */
record Transport(ProtocolFamily family, boolean usePoll) {
    static final Duration WAIT = Duration.ofSeconds(10);

    static Stream<Arguments> all() {
        return Stream.of(StandardProtocolFamily.INET, StandardProtocolFamily.INET6, StandardProtocolFamily.UNIX)
                .flatMap(f -> Stream.of(new Transport(f, false), new Transport(f, true)))
                .map(Arguments::of);
    }

    static List<Transport> list() {
        return all().map(a -> (Transport) a.get()[0]).toList();
    }

    /** A fresh address to bind: port 0 on loopback, or a new path in a temporary directory. */
    SocketAddress bindAddress() {
        if (family == StandardProtocolFamily.UNIX) {
            try {
                Path dir = Files.createTempDirectory("asyncore-test");
                dir.toFile().deleteOnExit();
                Path sock = dir.resolve("s.sock");
                sock.toFile().deleteOnExit();
                return UnixDomainSocketAddress.of(sock);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new InetSocketAddress(family == StandardProtocolFamily.INET ? "127.0.0.1" : "::1", 0);
    }

    /** A blocking client socket of this family, connected to {@code address}. */
    SocketChannel connectBlocking(SocketAddress address) throws IOException {
        SocketChannel c = SocketChannel.open(family);
        c.connect(address);
        return c;
    }

    /** Runs passes of {@code map} in this dispatch order until {@code done} holds; fails after {@link #WAIT}. */
    void loopUntil(SocketMap map, BooleanSupplier done) {
        RunLoop.until(map, usePoll, done, WAIT);
    }

    @Override
    public String toString() {
        return family + (usePoll ? " poll" : " select");
    }
}
