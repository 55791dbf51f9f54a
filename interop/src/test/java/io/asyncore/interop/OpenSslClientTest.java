package io.asyncore.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.Tls;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our callback-style TLS echo server against {@code openssl s_client -verify_return_error}, which fails unless our chain verifies. */
class OpenSslClientTest extends InteropTestBase {

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void opensslSClientVerifiesOurServerAndGetsItsLineEchoedThenEndsCleanly(String protocol) throws IOException {
        Pki pki = pki();
        EchoServer server = new EchoServer(map, Tls.server(pki.certificate(), pki.key()));
        int port = server.port();
        try (ExternalPeer client = ExternalPeer.start(dir, List.of(openssl().toString(), "s_client",
                "-connect", "127.0.0.1:" + port, "-CAfile", pki.ca().toString(), "-verify_return_error",
                "-verify_ip", "127.0.0.1", protocol.equals("TLSv1.2") ? "-tls1_2" : "-tls1_3",
                "-brief", "-nocommands"))) {
            client.send("hello from s_client\n");
            Loop.until(map, "s_client printing the echo",
                    () -> client.stdout().contains("hello from s_client\n") || !client.isAlive(), client::describe);
            assertEquals("hello from s_client\n", client.stdout(), client::describe);
            // End of its input: s_client sends close_notify and exits; our server answers and closes.
            client.closeInput();
            Loop.until(map, "our server's clean end and s_client's exit",
                    () -> (server.cleanEnds == 1 && !client.isAlive()) || !server.errors.isEmpty(), client::describe);
            assertTrue(server.errors.isEmpty(), () -> "our server failed: " + server.errors + "\n" + client.describe());
            assertEquals(0, client.awaitExit(), client::describe);
            assertEquals(List.of(protocol), server.protocols, client::describe);
            client.await(ExternalPeer.Output.STDERR, Pattern.compile("Verification: OK"));
        }
    }
}
