package io.asyncore;

import io.asyncore.testing.RunLoop;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TLS under the callback dispatchers, with the JDK's engine on both ends, over loopback. */
@Timeout(60)
class TlsTest {
    private final SocketMap map = new SocketMap();
    private final List<Throwable> serverErrors = new ArrayList<>();
    private final List<TlsEcho> served = new ArrayList<>();

    @AfterEach
    void tearDown() {
        map.close();
    }

    static Path pem(String name) {
        try {
            return Path.of(TlsTest.class.getResource("/tls/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    static SSLContext serverContext(String cert) throws IOException {
        return Tls.server(pem(cert + ".pem"), pem(cert + "-key.pem"));
    }

    static SSLContext clientTrusting(String ca) throws IOException {
        return Tls.trusting(pem(ca + ".pem"));
    }

    // ---------------------------------------------------------------- echo

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void anEchoOverTlsIsByteExactWithWritesFromOneByteToOneMebibyte(String protocol) throws IOException {
        InetSocketAddress address = listen(serverContext("server"), protocol);
        Client client = new Client(address, Tls.clientEngine(clientTrusting("ca"), "127.0.0.1", address.getPort()));
        Random random = new Random(42);
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        int[] sizes = {1, 2, 5, 100, 1000, 16_383, 16_384, 16_385, 65_536, 300_000, 1 << 20};
        for (int i = 0; i < 24; i++) {
            byte[] chunk = new byte[i < sizes.length ? sizes[i] : 1 + random.nextInt(1 << 20)];
            random.nextBytes(chunk);
            sent.writeBytes(chunk);
            client.send(chunk); // queued before and during the handshake too: sent after it, in order
        }
        byte[] expected = sent.toByteArray();
        RunLoop.until(map, false, () -> client.received.size() >= expected.length || client.error != null);
        assertNull(client.error, () -> "client failed: " + client.error);
        assertArrayEquals(expected, client.received.toByteArray());
        assertEquals(protocol, client.tlsSession().getProtocol());
        assertEquals(1, client.handshakes, "handleTlsHandshake runs once");
        assertTrue(serverErrors.isEmpty(), () -> "server failed: " + serverErrors);

        // Idle now: no connection keeps a packet or application buffer of its own.
        RunLoop.until(map, false, () -> client.pendingBytes() == 0 && served.get(0).pendingBytes() == 0);
        assertFalse(((TlsTransport) client.registration.transport).holdsBuffers(), "the idle client holds a buffer");
        assertFalse(((TlsTransport) served.get(0).registration.transport).holdsBuffers(), "the idle server side holds a buffer");
    }

    @Test
    void closeNotifyIsTheEndOfTheStreamOnBothSides() throws IOException {
        InetSocketAddress address = listen(serverContext("server"), null);
        Client client = new Client(address, Tls.clientEngine(clientTrusting("ca"), "localhost", address.getPort()));
        client.send("last words".getBytes(StandardCharsets.US_ASCII));
        RunLoop.until(map, false, () -> client.received.size() == 10);
        client.shutdownOutput(); // close_notify; our input stays open
        // The server reads the end of stream, flushes and closes (close_notify back): a clean end here.
        RunLoop.until(map, false, () -> client.closedCleanly || client.error != null);
        assertNull(client.error, () -> "a clean close was reported as " + client.error);
        assertTrue(serverErrors.isEmpty(), () -> "server failed: " + serverErrors);
        assertEquals("last words", client.received.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void anEndOfStreamWithoutCloseNotifyIsReportedAsATruncation() throws IOException {
        InetSocketAddress address = listen(serverContext("server"), null);
        Client client = new Client(address, Tls.clientEngine(clientTrusting("ca"), "localhost", address.getPort()));
        client.send("hello".getBytes(StandardCharsets.US_ASCII));
        RunLoop.until(map, false, () -> client.received.size() == 5);
        client.socket().close(); // a bare FIN: no close_notify
        client.delChannel();
        RunLoop.until(map, false, () -> !serverErrors.isEmpty());
        Throwable e = serverErrors.get(0);
        assertInstanceOf(TlsTransport.TlsTruncationException.class, e);
        assertTrue(e.getMessage().contains("without a TLS close_notify"), e.getMessage());
    }

    // ---------------------------------------------------------------- errors a user can read

    @Test
    void anUntrustedCertificateFailsTheHandshakeSayingSo() throws IOException {
        assertHandshakeFails(serverContext("server"), clientTrusting("other-ca"), "127.0.0.1", null, null,
                "not trusted");
    }

    @Test
    void aHostNameMismatchFailsTheHandshakeSayingSo() throws IOException {
        assertHandshakeFails(serverContext("wrong-host"), clientTrusting("ca"), "localhost", null, null,
                "does not match the host name");
    }

    @Test
    void anExpiredCertificateFailsTheHandshakeSayingSo() throws IOException {
        assertHandshakeFails(serverContext("expired"), clientTrusting("ca"), "localhost", null, null, "expired");
    }

    @Test
    void noCommonProtocolFailsTheHandshakeSayingSo() throws IOException {
        assertHandshakeFails(serverContext("server"), clientTrusting("ca"), "localhost", "TLSv1.3", "TLSv1.2",
                "no TLS version in common");
    }

    @Test
    void aSilentPeerFailsTheHandshakeAfterItsTimeout() throws IOException {
        Dispatcher silent = new Dispatcher(map) {
            @Override
            public void handleAccepted(SocketChannel sock, SocketAddress addr) {
                served.add(null); // keep it open and never answer
                new Servers.Idle(sock, map);
            }
        };
        silent.createSocket();
        silent.bind(new InetSocketAddress("127.0.0.1", 0));
        silent.listen();
        InetSocketAddress address = (InetSocketAddress) ((java.nio.channels.ServerSocketChannel) silent.socket()).getLocalAddress();
        Client client = new Client(address, Tls.clientEngine(clientTrusting("ca"), "localhost", address.getPort()),
                Duration.ofMillis(300));
        RunLoop.until(map, false, () -> client.error != null);
        assertInstanceOf(SSLHandshakeException.class, client.error);
        assertTrue(client.error.getMessage().contains("did not complete within 300 ms"), client.error.getMessage());
        assertTrue(client.isClosed(), "the failed client is closed");
    }

    @Test
    void aPlaintextPeerOnATlsPortFailsFastSayingSo() throws IOException {
        InetSocketAddress address = listen(serverContext("server"), null);
        try (SocketChannel plain = SocketChannel.open(address)) {
            plain.write(ByteBuffer.wrap("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            RunLoop.until(map, false, () -> !serverErrors.isEmpty());
        }
        Throwable e = serverErrors.get(0);
        assertInstanceOf(SSLException.class, e);
        assertTrue(e.getMessage().contains("does not speak TLS"), e.getMessage());
    }

    @Test
    void startTlsIsRefusedOnAListenerAndTwice() throws IOException {
        InetSocketAddress address = listen(serverContext("server"), null);
        IllegalStateException onListener = assertThrows(IllegalStateException.class,
                () -> listener.startTls(Tls.serverEngine(serverContext("server"))));
        assertTrue(onListener.getMessage().contains("start TLS on each accepted connection"), onListener.getMessage());
        Client client = new Client(address, Tls.clientEngine(clientTrusting("ca"), "localhost", address.getPort()));
        IllegalStateException twice = assertThrows(IllegalStateException.class,
                () -> client.startTls(Tls.clientEngine(clientTrusting("ca"), "localhost", address.getPort())));
        assertTrue(twice.getMessage().contains("already runs TLS"), twice.getMessage());
    }

    private void assertHandshakeFails(SSLContext server, SSLContext client, String host, String serverProtocol,
            String clientProtocol, String expected) throws IOException {
        InetSocketAddress address = listen(server, serverProtocol);
        SSLEngine engine = Tls.clientEngine(client, host, address.getPort());
        if (clientProtocol != null) {
            engine.setEnabledProtocols(new String[] {clientProtocol});
        }
        Client c = new Client(new InetSocketAddress(host.equals("localhost") ? "127.0.0.1" : host, address.getPort()), engine);
        RunLoop.until(map, false, () -> c.error != null);
        assertInstanceOf(SSLException.class, c.error);
        assertTrue(c.error.getMessage().contains(expected), c.error.getMessage());
        assertNotNull(c.error.getCause(), "the JDK's own exception is kept as the cause");
        assertTrue(c.isClosed(), "the failed client is closed");
    }

    // ---------------------------------------------------------------- helpers

    private Dispatcher listener;

    /** A TLS echo server; each connection starts TLS right after the accept. */
    private InetSocketAddress listen(SSLContext context, String protocol) throws IOException {
        listener = new Dispatcher(map) {
            @Override
            public void handleAccepted(SocketChannel sock, SocketAddress addr) throws IOException {
                SSLEngine engine = Tls.serverEngine(context);
                if (protocol != null) {
                    engine.setEnabledProtocols(new String[] {protocol});
                }
                TlsEcho echo = new TlsEcho(sock, serverErrors::add);
                served.add(echo);
                echo.startTls(engine);
            }
        };
        listener.createSocket();
        listener.bind(new InetSocketAddress("127.0.0.1", 0));
        listener.listen();
        return (InetSocketAddress) ((java.nio.channels.ServerSocketChannel) listener.socket()).getLocalAddress();
    }

    /** Echoes what it reads; at the end of the stream sends the rest, then closes. */
    private final class TlsEcho extends DispatcherWithSend {
        private final Consumer<Throwable> errors;

        TlsEcho(SocketChannel sock, Consumer<Throwable> errors) {
            super(sock, map);
            this.errors = errors;
        }

        @Override
        public void handleRead() throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(32 * 1024);
            if (recv(buf) > 0) {
                send(buf.flip());
            }
        }

        @Override
        public void handleClose() {
            closeWhenDone();
        }

        @Override
        public void handleError(Throwable error) {
            errors.accept(error);
            close();
        }
    }

    /** A TLS client that collects what comes back. */
    private final class Client extends DispatcherWithSend {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        Throwable error;
        boolean closedCleanly;
        int handshakes;

        Client(InetSocketAddress address, SSLEngine engine) throws IOException {
            this(address, engine, DEFAULT_TLS_HANDSHAKE_TIMEOUT);
        }

        Client(InetSocketAddress address, SSLEngine engine, Duration timeout) throws IOException {
            super(map);
            setWaterMarks(0, Integer.MAX_VALUE); // it queues a whole upload and reads the echo meanwhile
            createSocket(Asyncore.protocolFamily(address));
            connect(address);
            startTls(engine, timeout); // before the connect completes
        }

        @Override
        public void handleConnect() {
        }

        @Override
        public void handleTlsHandshake() {
            handshakes++;
        }

        @Override
        public void handleRead() throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            int n = recv(buf);
            if (n > 0) {
                received.write(buf.array(), 0, n);
            }
        }

        @Override
        public void handleClose() {
            closedCleanly = true;
            close();
        }

        @Override
        public void handleError(Throwable t) {
            error = t;
            close();
        }
    }
}
