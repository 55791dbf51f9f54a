package io.asyncore.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.Tls;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Our callback-style client and server against socat's OpenSSL addresses. */
class SocatTest extends InteropTestBase {
    private static final Pattern LISTENING = Pattern.compile("listening on .*127\\.0\\.0\\.1:(\\d+)");

    @Test
    void ourClientGetsAMebibyteBackByteExactFromASocatTlsEchoServerAndAHalfCloseEndsCleanly() throws IOException {
        Path socat = Tools.require("socat", "socat");
        Pki pki = pki();
        try (ExternalPeer server = ExternalPeer.start(dir, List.of(socat.toString(), "-d", "-d",
                "OPENSSL-LISTEN:0,bind=127.0.0.1,reuseaddr,fork,verify=0,cert=" + pki.certificate() + ",key=" + pki.key(),
                "EXEC:cat"))) {
            int port = Integer.parseInt(server.await(ExternalPeer.Output.STDERR, LISTENING).group(1));
            BulkClient client = new BulkClient(map, new InetSocketAddress("127.0.0.1", port),
                    Tls.clientEngine(Tls.trusting(pki.ca()), "127.0.0.1", port));
            Random random = new Random(13);
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            for (int size : new int[] {1, 100, 16_384, 16_385, 100_000, 1 << 20}) {
                byte[] chunk = new byte[size];
                random.nextBytes(chunk);
                sent.writeBytes(chunk);
                client.send(chunk); // queued before the handshake: sent after it, in order
            }
            byte[] expected = sent.toByteArray();
            Loop.until(map, "the echo of " + expected.length + " bytes",
                    () -> client.received.size() >= expected.length || client.error != null, server::describe);
            assertNull(client.error, () -> "our client failed: " + client.error + "\n" + server.describe());
            assertArrayEquals(expected, client.received.toByteArray(), server::describe);

            // Our close_notify ends cat's input; cat exits and socat answers with its own close_notify.
            client.shutdownOutput();
            Loop.until(map, "socat's close_notify after ours", () -> client.ended || client.error != null, server::describe);
            assertNull(client.error, () -> "our client failed: " + client.error + "\n" + server.describe());
            assertEquals(expected.length, client.received.size(), "nothing arrives after the echo");
            assertEquals("TLSv1.3", client.protocol, server::describe);
        }
    }

    @Test
    void socatAsAClientTrustingOurCaGetsItsLineEchoedByOurServer() throws IOException {
        Path socat = Tools.require("socat", "socat");
        Pki pki = pki();
        EchoServer server = new EchoServer(map, Tls.server(pki.certificate(), pki.key()));
        int port = server.port();
        try (ExternalPeer client = ExternalPeer.start(dir, List.of(socat.toString(), "-d", "-d", "-",
                "OPENSSL:127.0.0.1:" + port + ",cafile=" + pki.ca()))) {
            client.send("hello from socat\n");
            Loop.until(map, "socat printing the echo", () -> client.stdout().contains("hello from socat\n") || !client.isAlive(),
                    client::describe);
            assertEquals("hello from socat\n", client.stdout(), client::describe);
            // End of its input: socat sends close_notify, our server answers with its own and closes.
            client.closeInput();
            Loop.until(map, "our server's clean end and socat's exit",
                    () -> (server.cleanEnds == 1 && !client.isAlive()) || !server.errors.isEmpty(), client::describe);
            assertTrue(server.errors.isEmpty(), () -> "our server failed: " + server.errors + "\n" + client.describe());
            assertEquals(0, client.awaitExit(), client::describe);
            assertEquals(List.of("TLSv1.3"), server.protocols, client::describe);
        }
    }
}
