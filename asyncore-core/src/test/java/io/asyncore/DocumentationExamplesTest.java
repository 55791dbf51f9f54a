package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.asyncore.testing.EchoHandler;
import io.asyncore.testing.RunLoop;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The asyncore documentation's two examples, ported line by line, against loopback servers. */
@Timeout(30)
class DocumentationExamplesTest {
    private final SocketMap map = new SocketMap();

    @AfterEach
    void tearDown() {
        map.close();
    }

    // ------------------------------------------------------------ "asyncore Example basic HTTP client"

    static class HTTPClient extends Dispatcher {
        private byte[] buffer;
        final ByteArrayOutputStream received = new ByteArrayOutputStream();

        HTTPClient(String host, int port, String path, SocketMap map) throws IOException {
            super(map);
            createSocket();
            connect(host, port);
            buffer = ("GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public void handleConnect() {
        }

        @Override
        public void handleClose() {
            close();
        }

        @Override
        public void handleRead() throws IOException {
            received.writeBytes(recv(8192));
        }

        @Override
        public boolean writable() {
            return buffer.length > 0;
        }

        @Override
        public void handleWrite() throws IOException {
            int sent = send(buffer);
            buffer = java.util.Arrays.copyOfRange(buffer, sent, buffer.length);
        }
    }

    @Test
    void theBasicHttpClientFetchesAPageFromTheJdksHttpServer() throws IOException {
        byte[] page = "<html><body>Hello from loopback</body></html>".repeat(500).getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(page);
            }
        });
        server.start();
        try {
            HTTPClient client = new HTTPClient("127.0.0.1", server.getAddress().getPort(), "/", map);
            RunLoop.until(map, false, map::isEmpty);
            String response = client.received.toString(StandardCharsets.UTF_8);
            assertTrue(response.startsWith("HTTP/1.1 200"), response.lines().findFirst().orElse(""));
            byte[] body = client.received.toByteArray();
            int headerEnd = response.indexOf("\r\n\r\n") + 4;
            assertArrayEquals(page, java.util.Arrays.copyOfRange(body, headerEnd, body.length));
        } finally {
            server.stop(0);
        }
    }

    // ------------------------------------------------------------ "asyncore Example basic echo server"

    // The example's EchoHandler is the shared fixture io.asyncore.testing.EchoHandler, line by line.

    static class EchoServer extends Dispatcher {
        final List<SocketAddress> incoming = new ArrayList<>();

        EchoServer(String host, int port, SocketMap map) throws IOException {
            super(map);
            createSocket();
            setReuseAddr();
            bind(new InetSocketAddress(host, port));
            listen(5);
        }

        @Override
        public void handleAccepted(SocketChannel sock, SocketAddress addr) {
            incoming.add(addr);
            new EchoHandler(sock, map());
        }
    }

    @Test
    void theEchoServerEchoesEachClientsBytes() throws Exception {
        EchoServer server = new EchoServer("127.0.0.1", 0, map);
        SocketAddress address = ((ServerSocketChannel) server.socket()).getLocalAddress();
        List<SocketChannel> clients = new ArrayList<>();
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            SocketChannel c = SocketChannel.open(address);
            c.configureBlocking(false);
            byte[] msg = ("client " + i + " says hello ").repeat(100 * (i + 1)).getBytes(StandardCharsets.US_ASCII);
            clients.add(c);
            sent.add(msg);
        }
        List<java.nio.ByteBuffer> out = sent.stream().map(java.nio.ByteBuffer::wrap).toList();
        List<java.nio.ByteBuffer> in = sent.stream().map(m -> java.nio.ByteBuffer.allocate(m.length)).toList();
        RunLoop.until(map, false, () -> {
            try {
                for (int i = 0; i < clients.size(); i++) {
                    clients.get(i).write(out.get(i));
                    clients.get(i).read(in.get(i));
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return in.stream().noneMatch(java.nio.ByteBuffer::hasRemaining);
        });
        for (int i = 0; i < clients.size(); i++) {
            assertArrayEquals(sent.get(i), in.get(i).array());
            clients.get(i).close();
        }
        assertTrue(server.incoming.size() == 3);
        RunLoop.until(map, false, () -> map.size() == 1);
    }
}
