package io.asyncore.samples.echo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.SocketMap;
import io.asyncore.Tls;
import io.asyncore.samples.BackgroundLoop;
import io.asyncore.samples.Loops;
import io.asyncore.samples.SampleException;
import io.asyncore.samples.tls.DemoCertificates;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TlsEchoServer and EchoClient over TLS, with the demo certificate, on loopback. */
@Timeout(60)
class TlsEchoTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @Test
    void aMessageComesBackByteExactOverTls() throws Exception {
        DemoCertificates certs = DemoCertificates.extract();
        List<SocketAddress> peers = new CopyOnWriteArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        SocketMap servers = new SocketMap();
        TlsEchoServer server = new TlsEchoServer(new InetSocketAddress("127.0.0.1", 0), 0, servers, certs.serverContext(),
                peers::add, (peer, e) -> failures.add(e));
        int port = server.port();
        try (BackgroundLoop loop = BackgroundLoop.start(servers, "tls-echo-server"); SocketMap map = new SocketMap()) {
            byte[] message = new byte[300_000]; // many records each way
            new Random(7).nextBytes(message);
            byte[] got = Loops.runUntilDone(map, new EchoClient("127.0.0.1", port, message, map, certs.clientContext()).result(),
                    LIMIT, "the TLS echo client").join();
            assertArrayEquals(message, got);
            assertTrue(peers.size() == 1 && failures.isEmpty(), () -> peers + " " + failures);
        }
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateFailsInOneLineAndTheServerGoesOn() throws Exception {
        DemoCertificates certs = DemoCertificates.extract();
        java.util.concurrent.CompletableFuture<Throwable> failure = new java.util.concurrent.CompletableFuture<>();
        SocketMap servers = new SocketMap();
        TlsEchoServer server = new TlsEchoServer(new InetSocketAddress("127.0.0.1", 0), 0, servers, certs.serverContext(),
                peer -> { }, (peer, e) -> failure.complete(e));
        int port = server.port();
        SSLContext jdkDefault = SSLContext.getDefault();
        try (BackgroundLoop loop = BackgroundLoop.start(servers, "tls-echo-server"); SocketMap map = new SocketMap()) {
            CompletionException e = assertThrows(CompletionException.class, () -> Loops.runUntilDone(map,
                    new EchoClient("127.0.0.1", port, new byte[] {1, 2, 3}, map, jdkDefault).result(), LIMIT, "the echo client")
                    .join());
            SampleException s = assertInstanceOf(SampleException.class, e.getCause());
            assertTrue(s.getMessage().startsWith("the peer's certificate is not trusted: "), s.getMessage());
            assertTrue(!s.getMessage().contains("\n"), s.getMessage());
            // The server heard why, and still serves a client that trusts it.
            byte[] again = Loops.runUntilDone(map, new EchoClient("localhost", port, new byte[] {4, 5}, map,
                    Tls.trusting(certs.ca())).result(), LIMIT, "the second echo client").join();
            assertArrayEquals(new byte[] {4, 5}, again);
            Throwable heard = failure.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(heard.getMessage().contains("refused our certificate"), heard::toString);
        }
    }
}
