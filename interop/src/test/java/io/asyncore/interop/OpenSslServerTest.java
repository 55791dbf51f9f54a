package io.asyncore.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.Tls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our callback-style client against {@code openssl s_server -rev}, which answers each line
 * reversed: forced to TLS 1.2 and to TLS 1.3 (whose post-handshake session tickets must pass
 * unnoticed), and refused when its certificate does not verify.
 */
class OpenSslServerTest extends InteropTestBase {
    private static final Pattern ACCEPT = Pattern.compile("ACCEPT 127\\.0\\.0\\.1:(\\d+)");

    @ParameterizedTest(name = "{0}, certificate checked for {1}")
    @CsvSource({"TLSv1.2, localhost", "TLSv1.2, 127.0.0.1", "TLSv1.3, localhost", "TLSv1.3, 127.0.0.1"})
    void ourClientGetsLinesBackReversedFromOpensslSServerAndItsCloseNotifyEndsTheStream(String protocol, String host)
            throws IOException {
        Pki pki = pki();
        String force = protocol.equals("TLSv1.2") ? "-tls1_2" : "-tls1_3";
        try (ExternalPeer server = ExternalPeer.start(dir, List.of(openssl().toString(), "s_server",
                "-accept", "127.0.0.1:0", "-cert", pki.certificate().toString(), "-key", pki.key().toString(),
                force, "-rev"))) {
            int port = Integer.parseInt(server.await(ExternalPeer.Output.STDOUT, ACCEPT).group(1));
            LineClient client = new LineClient(map, new InetSocketAddress("127.0.0.1", port),
                    Tls.clientEngine(Tls.trusting(pki.ca()), host, port));
            List<String> expected = new ArrayList<>();
            for (String line : List.of("hello world", "x".repeat(3000) + "y", "second line, after the first")) {
                client.sendLine(line); // queued before the handshake: sent after it, in order
                expected.add(new StringBuilder(line).reverse().toString());
            }
            client.sendLine("CLOSE"); // s_server -rev ends the connection with a close_notify
            Loop.until(map, "the reversed lines and the end of the stream", client::finished, server::describe);
            assertNull(client.error, () -> "our client failed: " + client.error + "\n" + server.describe());
            assertEquals(expected, client.lines, server::describe);
            assertEquals(protocol, client.protocol, server::describe);
            assertTrue(client.ended, server::describe);
        }
    }

    @Test
    void ourClientRefusesOpensslSServerWhoseCertificateItsCaDidNotSign() throws IOException {
        Pki pki = pki();
        Pki other = Pki.create(openssl(), Files.createDirectories(dir.resolve("other")));
        assertOurClientFails(pki, Tls.trusting(other.ca()), "localhost", "not trusted");
    }

    @Test
    void ourClientRefusesOpensslSServerWhoseCertificateIsForAnotherHost() throws IOException {
        Pki pki = pki();
        assertOurClientFails(pki, Tls.trusting(pki.ca()), "example.org", "does not match the host name");
    }

    private void assertOurClientFails(Pki pki, SSLContext trust, String host, String expected)
            throws IOException {
        try (ExternalPeer server = ExternalPeer.start(dir, List.of(openssl().toString(), "s_server",
                "-accept", "127.0.0.1:0", "-cert", pki.certificate().toString(), "-key", pki.key().toString(), "-rev"))) {
            int port = Integer.parseInt(server.await(ExternalPeer.Output.STDOUT, ACCEPT).group(1));
            LineClient client = new LineClient(map, new InetSocketAddress("127.0.0.1", port),
                    Tls.clientEngine(trust, host, port));
            client.sendLine("never sent");
            Loop.until(map, "the handshake failing", client::finished, server::describe);
            assertInstanceOf(SSLHandshakeException.class, client.error, server::describe);
            assertTrue(client.error.getMessage().contains(expected), client.error::getMessage);
            assertTrue(client.lines.isEmpty(), server::describe);
            assertTrue(client.isClosed(), "the failed client is closed");
        }
    }
}
