package io.asyncore.samples.cli;

import static io.asyncore.samples.cli.MainTest.oneLineError;
import static io.asyncore.samples.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.SocketMap;
import io.asyncore.samples.Loops;
import io.asyncore.samples.echo.EchoClient;
import io.asyncore.samples.tls.DemoCertificates;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code echo-server --tls-cert --tls-key} in a JVM of its own, stopped with SIGINT as Ctrl-C does. */
@Timeout(60)
class TlsServerCommandsTest {
    private static final Pattern PORT = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    private static Process start(String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    @ParameterizedTest
    @ValueSource(strings = {"callback", "coroutine", "mixed"})
    void echoServerWithTlsCertAndKeyEchoesOverTls(String style) throws Exception {
        DemoCertificates certs = DemoCertificates.extract();
        Process p = start("echo-server", "--port", "0", "--style", style, "--tls-cert", certs.serverChain().toString(),
                "--tls-key", certs.serverKey().toString());
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String first = out.readLine();
            assertTrue(first != null && first.startsWith("echo server (" + style + " style, TLS) listening on 127.0.0.1:"), first);
            Matcher m = PORT.matcher(first);
            assertTrue(m.find(), first);
            int port = Integer.parseInt(m.group(1));
            try (SocketMap map = new SocketMap()) {
                byte[] message = "ping over TLS".getBytes(StandardCharsets.UTF_8);
                assertArrayEquals(message, Loops.runUntilDone(map,
                        new EchoClient("127.0.0.1", port, message, map, certs.clientContext()).result(),
                        Duration.ofSeconds(20), "the TLS echo client").join());
                assertArrayEquals(message, CoroutineSamples.echo(map, "127.0.0.1", port, message, certs.clientContext(),
                        Duration.ofSeconds(20)));
            }
            for (int i = 0; i < 2; i++) {
                String line = out.readLine();
                assertTrue(line.startsWith("incoming connection from 127.0.0.1:"), line);
                if (style.equals("mixed")) {
                    assertTrue(line.endsWith(i == 0 ? "(served in callback style)" : "(served in coroutine style)"), line);
                }
            }
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start();
            assertEquals(0, kill.waitFor());
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the server did not stop");
            assertEquals("echo server stopped", out.readLine());
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void echoServerNeedsBothTlsOptions() throws Exception {
        DemoCertificates certs = DemoCertificates.extract();
        assertEquals("error: --tls-cert without --tls-key: TLS needs both, the PEM certificate chain (--tls-cert FILE) "
                + "and its unencrypted PKCS#8 key (--tls-key FILE)",
                oneLineError(run("echo-server", "--port", "0", "--tls-cert", certs.serverChain().toString())));
        assertTrue(oneLineError(run("echo-server", "--port", "0", "--tls-key", certs.serverKey().toString()))
                .startsWith("error: --tls-key without --tls-cert: "));
    }

    @Test
    void echoServerNamesAKeyFileThatHoldsNoKey() throws Exception {
        DemoCertificates certs = DemoCertificates.extract();
        String error = oneLineError(run("echo-server", "--port", "0", "--tls-cert", certs.serverChain().toString(),
                "--tls-key", certs.ca().toString()));
        assertTrue(error.contains(certs.ca().toString()) && error.contains("no private key"), error);
    }
}
