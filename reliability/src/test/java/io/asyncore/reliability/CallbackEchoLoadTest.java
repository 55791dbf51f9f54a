package io.asyncore.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.asyncore.Dispatcher;
import io.asyncore.DispatcherWithSend;
import io.asyncore.SocketMap;
import io.asyncore.testing.EchoServer;
import io.asyncore.testing.RunLoop;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 5,000 concurrent connections through the callback echo server, every echoed byte verified by a
 * checksum per connection. The server loop and the client loop run on threads of their own.
 */
@Timeout(300)
class CallbackEchoLoadTest {
    static final int CONNECTIONS = Integer.getInteger("reliability.connections", 5000);
    static final int BYTES_PER_CONNECTION = 4096;
    static final Duration CLIENTS_LIMIT = Duration.ofSeconds(120);

    /** Sends a seeded random payload in uneven pieces and checks what comes back. */
    static final class Client extends DispatcherWithSend {
        final byte[] payload;
        final CRC32 received = new CRC32();
        long receivedBytes;

        Client(SocketMap map, SocketAddress server, long seed) throws IOException {
            super(map);
            payload = new byte[BYTES_PER_CONNECTION];
            new Random(seed).nextBytes(payload);
            createSocket();
            connect(server);
        }

        @Override
        public void handleConnect() {
        }

        void start() throws IOException {
            for (int off = 0, step = 1; off < payload.length; off += step, step = step * 3 % 1500 + 1) {
                send(java.nio.ByteBuffer.wrap(payload, off, Math.min(step, payload.length - off)));
            }
        }

        @Override
        public void handleRead() throws IOException {
            byte[] data = recv(8192);
            received.update(data);
            receivedBytes += data.length;
            if (receivedBytes == payload.length) {
                close();
            }
        }

        @Override
        public void handleClose() {
            close();
        }
    }

    @Test
    void fiveThousandConcurrentConnectionsGetEveryByteBack() throws Exception {
        try (BackgroundLoop server = new BackgroundLoop("echo-server")) {
            SocketAddress address = server.call(() -> new EchoServer(server.map, 4096).address());
            try (SocketMap clients = new SocketMap()) {
                List<Client> all = new ArrayList<>();
                for (int i = 0; i < CONNECTIONS; i++) {
                    all.add(new Client(clients, address, i));
                }
                RunLoop.until(clients, false, () -> all.stream().allMatch(Dispatcher::isConnected), CLIENTS_LIMIT);
                int held = server.call(() -> server.map.size() - 1);
                assertEquals(CONNECTIONS, held, "connections held open at once by the server");
                for (Client c : all) {
                    c.start();
                }
                RunLoop.until(clients, false, clients::isEmpty, CLIENTS_LIMIT);
                long verified = 0;
                for (Client c : all) {
                    CRC32 expected = new CRC32();
                    expected.update(c.payload);
                    assertEquals(c.payload.length, c.receivedBytes);
                    assertEquals(expected.getValue(), c.received.getValue(), "checksum of connection " + all.indexOf(c));
                    verified += c.receivedBytes;
                }
                assertEquals((long) CONNECTIONS * BYTES_PER_CONNECTION, verified);
                System.out.printf("reliability: %d concurrent connections held, %d echoed bytes verified%n", held, verified);
            }
            // The server sees each client's close a moment after the client does.
            int leftOver = server.call(server.map::size);
            for (long end = System.nanoTime() + Duration.ofSeconds(30).toNanos(); leftOver > 1 && System.nanoTime() < end; ) {
                leftOver = server.call(server.map::size);
            }
            assertEquals(1, leftOver, "every server-side connection closed; only the listener remains");
        }
    }
}
