package io.asyncore.samples.starttls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.SocketMap;
import io.asyncore.samples.BackgroundLoop;
import io.asyncore.samples.Loops;
import io.asyncore.samples.SampleException;
import io.asyncore.samples.cli.ClientStyle;
import io.asyncore.samples.cli.CoroutineSamples;
import io.asyncore.samples.tls.DemoCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The STARTTLS sample end to end: both clients (callback StartTlsClient, suspending startTlsConversation) against
 * StartTlsServer, and against peers that misbehave.
 */
@Timeout(60)
class StartTlsSampleTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private final CompletableFuture<Throwable> serverFailure = new CompletableFuture<>();
    private DemoCertificates certs;
    private BackgroundLoop servers;
    private int port;

    @BeforeEach
    void startServer() throws IOException {
        certs = DemoCertificates.extract();
        SocketMap map = new SocketMap();
        StartTlsServer server = new StartTlsServer(new InetSocketAddress("127.0.0.1", 0), map, certs.serverContext(),
                peer -> { }, (peer, e) -> serverFailure.complete(e));
        port = server.port();
        servers = BackgroundLoop.start(map, "starttls-server");
    }

    @AfterEach
    void stopServer() {
        servers.close();
    }

    private List<String> converse(List<String> commands, SSLContext trust) throws IOException {
        return converse(ClientStyle.callback, port, commands, trust);
    }

    /** The conversation's transcript; a failure is thrown as a CompletionException whose cause says why, in both styles. */
    private static List<String> converse(ClientStyle style, int port, List<String> commands, SSLContext trust) throws IOException {
        if (style == ClientStyle.coroutine) {
            try (SocketMap map = new SocketMap()) {
                return CoroutineSamples.startTls(map, "127.0.0.1", port, commands, trust, LIMIT);
            } catch (SampleException e) {
                throw new CompletionException(e);
            }
        }
        try (SocketMap map = new SocketMap()) {
            StartTlsClient client = new StartTlsClient("127.0.0.1", port, commands, trust, map);
            return Loops.runUntilDone(map, client.result(), LIMIT, "the STARTTLS client").join();
        }
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void theConversationMovesToTlsOnStartTlsAndTheSecretIsToldOnlyThen(ClientStyle style) throws Exception {
        List<String> t = converse(style, port, List.of("HELLO sample", "SECRET", "STARTTLS", "HELLO sample", "SECRET", "QUIT"),
                certs.clientContext());
        assertEquals("S: 220 asyncore STARTTLS sample ready", t.get(0));
        assertEquals(List.of("C: HELLO sample", "S: 250 hello sample, over plaintext", "C: SECRET",
                "S: 530 STARTTLS first: the secret is only told over TLS", "C: STARTTLS", "S: 220 go ahead"), t.subList(1, 7));
        // The callback client sends the next command before the handshake completes; the suspending one after.
        List<String> next = style == ClientStyle.callback ? t.subList(7, 9) : List.of(t.get(8), t.get(7));
        assertTrue(next.get(0).startsWith("C: HELLO sample"), t::toString);
        assertTrue(next.get(1).startsWith("== TLS TLSv1.3 "), t::toString);
        assertEquals(List.of("S: 250 hello sample, over TLSv1.3", "C: SECRET"), t.subList(9, 11));
        assertTrue(t.get(11).startsWith("S: 250 the secret is 42 (TLS_"), t::toString);
        assertEquals(List.of("C: QUIT", "S: 221 bye"), t.subList(12, 14));
        assertEquals(14, t.size(), t::toString);
    }

    @Test
    void aCommandInjectedBehindStartTlsIsNeverAnsweredAndFailsTheConnection() throws Exception {
        try (Socket attacker = new Socket("127.0.0.1", port)) {
            attacker.setSoTimeout(20_000);
            OutputStream out = attacker.getOutputStream();
            out.write("STARTTLS\r\nSECRET\r\n".getBytes(StandardCharsets.US_ASCII)); // one packet (CVE-2011-0411)
            out.flush();
            String answered = new String(attacker.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            // The greeting and, at most, the plaintext "go ahead"; then the server closed. No secret, no 530.
            assertTrue(answered.startsWith("220 asyncore STARTTLS sample ready\r\n"), answered);
            assertTrue(!answered.contains("SECRET") && !answered.contains("secret") && !answered.contains("530"), answered);
        }
        Throwable e = serverFailure.get(10, TimeUnit.SECONDS);
        assertInstanceOf(SSLException.class, e);
        assertTrue(e.getMessage().contains("plaintext arrived after the command that started TLS"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void aClientThatDoesNotTrustTheCertificateFailsInOneLine(ClientStyle style) throws Exception {
        CompletionException e = assertThrows(CompletionException.class,
                () -> converse(style, port, List.of("STARTTLS", "SECRET"), SSLContext.getDefault()));
        SampleException s = assertInstanceOf(SampleException.class, e.getCause());
        assertTrue(s.getMessage().startsWith("the peer's certificate is not trusted: "), s.getMessage());
        assertTrue(!s.getMessage().contains("\n"), s.getMessage());
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void aServerThatRefusesStartTlsFailsTheConversationInsteadOfGoingOnInPlaintext(ClientStyle style) throws Exception {
        try (ServerSocket stripping = new ServerSocket(0, 4, InetAddress.getByName("127.0.0.1"))) {
            Thread peer = new Thread(() -> {
                try (Socket s = stripping.accept()) {
                    s.getOutputStream().write("220 hi\r\n".getBytes(StandardCharsets.US_ASCII));
                    InputStream in = s.getInputStream();
                    while (in.read() != '\n') {
                        // the STARTTLS line
                    }
                    s.getOutputStream().write("502 not here\r\n".getBytes(StandardCharsets.US_ASCII));
                    in.readAllBytes(); // until the client closes; a SECRET line would end up here
                } catch (IOException ignored) {
                    // the test is over
                }
            }, "striptls-server");
            peer.setDaemon(true);
            peer.start();
            {
                CompletionException e = assertThrows(CompletionException.class,
                        () -> converse(style, stripping.getLocalPort(), List.of("STARTTLS", "SECRET"), certs.clientContext()));
                assertEquals("the server at 127.0.0.1:" + stripping.getLocalPort()
                        + " refused STARTTLS (\"502 not here\"): not going on in plaintext", e.getCause().getMessage());
            }
        }
    }
}
