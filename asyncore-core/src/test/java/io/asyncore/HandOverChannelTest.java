package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class HandOverChannelTest {
    /** Reads once, then hands its channel to a new dispatcher of the same map within the same handler. */
    static final class FirstOwner extends Dispatcher {
        final AtomicReference<byte[]> second;

        FirstOwner(SocketChannel sock, SocketMap map, AtomicReference<byte[]> second) {
            super(sock, map);
            this.second = second;
        }

        @Override
        public boolean writable() {
            return false;
        }

        @Override
        public void handleRead() throws IOException {
            recv(1);
            delChannel();
            new SecondOwner((SocketChannel) socket(), map(), second);
        }
    }

    static final class SecondOwner extends Dispatcher {
        final AtomicReference<byte[]> got;

        SecondOwner(SocketChannel sock, SocketMap map, AtomicReference<byte[]> got) {
            super(sock, map);
            this.got = got;
        }

        @Override
        public boolean writable() {
            return false;
        }

        @Override
        public void handleRead() throws IOException {
            byte[] data = recv(16);
            if (data.length > 0) {
                got.set(data);
                close();
            }
        }
    }

    @Test
    void aChannelLeavingOneDispatcherCanJoinAnotherOfTheSameMapInTheSamePass() throws Exception {
        try (SocketMap map = new SocketMap();
                ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                SocketChannel client = SocketChannel.open(listener.getLocalAddress())) {
            AtomicReference<byte[]> got = new AtomicReference<>();
            new FirstOwner(listener.accept(), map, got);
            client.write(ByteBuffer.wrap(new byte[] {1}));
            // The first owner reads one byte and hands over; the second must then see "rest".
            Asyncore.loop(Duration.ofSeconds(5), false, map, 1);
            client.write(ByteBuffer.wrap("rest".getBytes()));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (got.get() == null && System.nanoTime() < deadline && !map.isEmpty()) {
                Asyncore.loop(Duration.ofMillis(100), false, map, 1);
            }
            assertArrayEquals("rest".getBytes(), got.get());
        }
    }
}
