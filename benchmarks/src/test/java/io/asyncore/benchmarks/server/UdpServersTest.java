package io.asyncore.benchmarks.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every datagram echo server starts as run.sh starts it (a JVM of its own, the port as its argument,
 * READY once bound) and answers each datagram with the same bytes, to the socket that sent it.
 */
@Timeout(60)
class UdpServersTest {
    private static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"RawNioUdpEchoServer", "CallbackUdpEchoServer"})
    void echoesEachDatagramToItsSender(String server) throws Exception {
        int port = freeUdpPort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "io.asyncore.benchmarks.server." + server, Integer.toString(port))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", port);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                DatagramSocket a = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                DatagramSocket b = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            String ready = out.readLine();
            assertTrue(ready != null && ready.startsWith("READY " + server + " " + port), String.valueOf(ready));
            a.setSoTimeout(10_000);
            b.setSoTimeout(10_000);
            for (int i = 0; i < 3; i++) { // both senders, interleaved: each gets its own datagram back
                for (DatagramSocket s : new DatagramSocket[] {a, b}) {
                    byte[] sent = (server + " " + i + " from " + s.getLocalPort()).getBytes(StandardCharsets.UTF_8);
                    s.send(new DatagramPacket(sent, sent.length, target));
                    DatagramPacket echo = new DatagramPacket(new byte[2048], 2048);
                    s.receive(echo);
                    assertEquals(target, echo.getSocketAddress(), "the echo comes from the server's port");
                    assertArrayEquals(sent, Arrays.copyOf(echo.getData(), echo.getLength()), server);
                }
            }
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }
}
