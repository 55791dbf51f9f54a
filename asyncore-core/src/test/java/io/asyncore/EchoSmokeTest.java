package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class EchoSmokeTest {
    static class EchoHandler extends DispatcherWithSend {
        EchoHandler(SocketChannel sock, SocketMap map) {
            super(sock, map);
        }

        @Override
        public void handleRead() throws IOException {
            byte[] data = recv(8192);
            if (data.length > 0) {
                send(data);
            }
        }

        @Override
        public void handleClose() {
            close();
        }
    }

    static class EchoServer extends Dispatcher {
        EchoServer(SocketMap map) throws IOException {
            super(map);
            createSocket();
            setReuseAddr();
            bind(new InetSocketAddress("127.0.0.1", 0));
            listen(5);
        }

        int port() throws IOException {
            return ((InetSocketAddress) ((ServerSocketChannel) socket()).getLocalAddress()).getPort();
        }

        @Override
        public void handleAccepted(SocketChannel sock, SocketAddress addr) {
            new EchoHandler(sock, map());
        }
    }

    static class Client extends DispatcherWithSend {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        final int want;

        Client(SocketMap map, int port, byte[] payload) throws IOException {
            super(map);
            want = payload.length;
            createSocket();
            connect(new InetSocketAddress("127.0.0.1", port));
            send(payload);
        }

        @Override
        public void handleConnect() {
        }

        @Override
        public void handleRead() throws IOException {
            got.writeBytes(recv(65536));
            if (got.size() >= want) {
                close();
            }
        }

        @Override
        public void handleClose() {
            close();
        }
    }

    @Test
    void echoServerReturnsEveryByteToTwoClients() throws Exception {
        try (SocketMap map = new SocketMap()) {
            EchoServer server = new EchoServer(map);
            byte[] small = "hello".getBytes();
            byte[] big = new byte[1 << 20];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) (i * 31);
            }
            Client a = new Client(map, server.port(), small);
            Client b = new Client(map, server.port(), big);
            while (!a.isClosed() || !b.isClosed()) {
                Asyncore.loop(Duration.ofSeconds(1), false, map, 1);
            }
            assertArrayEquals(small, a.got.toByteArray());
            assertArrayEquals(big, b.got.toByteArray());
        }
    }

    @Test
    void refusedConnectReachesHandleErrorWithTheConnectException() throws Exception {
        int closedPort;
        try (ServerSocketChannel s = ServerSocketChannel.open()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            closedPort = ((InetSocketAddress) s.getLocalAddress()).getPort();
        }
        AtomicReference<Throwable> error = new AtomicReference<>();
        try (SocketMap map = new SocketMap()) {
            Dispatcher d = new Dispatcher(map) {
                @Override
                public void handleError(Throwable t) {
                    error.set(t);
                    close();
                }
            };
            d.createSocket();
            d.connect(new InetSocketAddress("127.0.0.1", closedPort));
            Asyncore.loop(Duration.ofSeconds(5), false, map, 10);
            assertInstanceOf(ConnectException.class, error.get());
            assertTrue(map.isEmpty());
            assertEquals(0, map.size());
        }
    }
}
