package io.asyncore.samples.echo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.SocketMap;
import io.asyncore.samples.Loops;
import io.asyncore.samples.SampleException;
import io.asyncore.samples.cli.CoroutineSamples;
import io.asyncore.samples.tls.DemoCertificates;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The coroutine and mixed echo servers over TLS ({@link CoroutineEchoServers#start} with a context), with
 * callback and suspending TLS clients taking turns, on loopback with the demo certificate.
 */
@Timeout(60)
class CoroutineTlsEchoTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    /** Client {@code i} sends {@code message}: odd ones with the callback EchoClient, even ones with the suspending echoOnce. */
    private static byte[] echo(SocketMap map, int i, int port, byte[] message, SSLContext trust) throws Exception {
        return i % 2 == 1
                ? Loops.runUntilDone(map, new EchoClient("127.0.0.1", port, message, map, trust).result(), LIMIT,
                        "the callback TLS echo client").join()
                : CoroutineSamples.echo(map, "127.0.0.1", port, message, trust, LIMIT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"coroutine", "mixed"})
    void messagesComeBackByteExactOverTlsFromEveryClientStyle(String style) throws Exception {
        DemoCertificates certs = DemoCertificates.extract();
        List<String> servedBy = new CopyOnWriteArrayList<>();
        try (RunningServer server = CoroutineEchoServers.start(style, new InetSocketAddress("127.0.0.1", 0), 0,
                certs.serverContext(), (peer, how) -> servedBy.add(how));
                SocketMap map = new SocketMap()) {
            for (int i = 1; i <= 4; i++) {
                // Short messages: see the report of the branch samples-tls-coroutine on the server-side stall of bytes
                // arriving right behind the client's Finished (asyncore-core TlsTransport), which longer ones hit.
                byte[] message = ("message " + i + " over TLS").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                assertArrayEquals(message, echo(map, i, server.port(), message, certs.clientContext()), "client " + i);
            }
        }
        assertEquals(style.equals("mixed") ? List.of("callback", "coroutine", "callback", "coroutine")
                : List.of("coroutine", "coroutine", "coroutine", "coroutine"), servedBy);
    }

    @ParameterizedTest
    @ValueSource(strings = {"coroutine", "mixed"})
    void aClientThatDoesNotTrustTheCertificateFailsInOneLineAndTheServerGoesOn(String style) throws Exception {
        DemoCertificates certs = DemoCertificates.extract();
        SSLContext jdkDefault = SSLContext.getDefault();
        try (RunningServer server = CoroutineEchoServers.start(style, new InetSocketAddress("127.0.0.1", 0), 0,
                certs.serverContext(), (peer, how) -> { });
                SocketMap map = new SocketMap()) {
            for (int i = 1; i <= 2; i++) { // both client styles, and in the mixed server both serving styles
                int client = i;
                Exception e = assertThrows(Exception.class, () -> echo(map, client, server.port(), new byte[] {1, 2, 3}, jdkDefault));
                Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
                assertTrue(cause instanceof SampleException, cause::toString);
                assertTrue(cause.getMessage().startsWith("the peer's certificate is not trusted: ")
                        && !cause.getMessage().contains("\n"), cause.getMessage());
            }
            byte[] message = "still serving".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            assertArrayEquals(message, echo(map, 2, server.port(), message, certs.clientContext()));
            assertArrayEquals(message, echo(map, 1, server.port(), message, certs.clientContext()));
        }
    }
}
