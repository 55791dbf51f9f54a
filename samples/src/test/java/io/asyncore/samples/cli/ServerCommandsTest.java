package io.asyncore.samples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.SocketMap;
import io.asyncore.samples.Loops;
import io.asyncore.samples.echo.EchoClient;
import io.asyncore.samples.time.TimeClient;
import io.asyncore.samples.time.UdpTimeClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server subcommands in a JVM of their own, stopped with SIGINT as Ctrl-C does. */
@Timeout(60)
class ServerCommandsTest {
    private static final Pattern PORT = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    private static Process start(String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static int port(String firstLine) {
        Matcher m = PORT.matcher(firstLine);
        assertTrue(m.find(), firstLine);
        return Integer.parseInt(m.group(1));
    }

    /** Stops {@code p} with SIGINT, as Ctrl-C does, and returns the rest of its output. */
    private static String stop(Process p, BufferedReader out) throws Exception {
        // Process.destroy() would close our end of its output; kill leaves it readable.
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the server did not stop");
        StringBuilder rest = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            rest.append(line).append('\n');
        }
        return rest.toString();
    }

    @Test
    void timeServerServesTcpAndUdpAndStopsCleanly() throws Exception {
        Process p = start("time-server", "--port", "0");
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String first = out.readLine();
            assertTrue(first.startsWith("time server listening on 127.0.0.1:") && first.endsWith("(TCP and UDP); Ctrl-C stops it"), first);
            int port = port(first);
            try (SocketMap map = new SocketMap()) {
                Instant tcp = Loops.runUntilDone(map, new TimeClient("127.0.0.1", port, map).result(), Duration.ofSeconds(10), "tcp").join();
                Instant udp = Loops.runUntilDone(map, new UdpTimeClient("127.0.0.1", port, map).result(), Duration.ofSeconds(10), "udp").join();
                assertTrue(Math.abs(Duration.between(tcp, Instant.now()).toSeconds()) < 60);
                assertTrue(Math.abs(Duration.between(udp, Instant.now()).toSeconds()) < 60);
            }
            assertEquals("time server stopped\n", stop(p, out));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void timeServerServesTcpAndUdpInCoroutineStyle() throws Exception {
        Process p = start("time-server", "--port", "0", "--style", "coroutine");
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String first = out.readLine();
            assertTrue(first.startsWith("time server (coroutine style) listening on 127.0.0.1:")
                    && first.endsWith("(TCP and UDP); Ctrl-C stops it"), first);
            int port = port(first);
            try (SocketMap map = new SocketMap()) {
                Instant tcp = Loops.runUntilDone(map, new TimeClient("127.0.0.1", port, map).result(), Duration.ofSeconds(10), "tcp").join();
                Instant udp = Loops.runUntilDone(map, new UdpTimeClient("127.0.0.1", port, map).result(), Duration.ofSeconds(10), "udp").join();
                Instant coroutineUdp = CoroutineSamples.fetchUdpTime(map, "127.0.0.1", port, Duration.ofSeconds(10));
                for (Instant t : new Instant[] {tcp, udp, coroutineUdp}) {
                    assertTrue(Math.abs(Duration.between(t, Instant.now()).toSeconds()) < 60, t::toString);
                }
            }
            assertEquals("time server stopped\n", stop(p, out));
        } finally {
            p.destroyForcibly();
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"callback", "coroutine", "mixed"})
    void echoServerEchoesReportsPeersAndStopsCleanly(String style) throws Exception {
        Process p = start("echo-server", "--port", "0", "--style", style);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String first = out.readLine();
            assertTrue(first.startsWith("echo server (" + style + " style) listening on 127.0.0.1:"), first);
            int port = port(first);
            try (SocketMap map = new SocketMap()) {
                byte[] message = "ping".getBytes(StandardCharsets.UTF_8);
                assertArrayEquals(message, Loops.runUntilDone(map, new EchoClient("127.0.0.1", port, message, map).result(),
                        Duration.ofSeconds(10), "echo").join());
            }
            assertTrue(out.readLine().startsWith("incoming connection from 127.0.0.1:"));
            assertEquals("echo server stopped\n", stop(p, out));
        } finally {
            p.destroyForcibly();
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"callback", "coroutine", "mixed"})
    void echoServerOnTwoLoopsEchoesOnBothAndStopsCleanly(String style) throws Exception {
        Process p = start("echo-server", "--port", "0", "--style", style, "--loops", "2");
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String first = out.readLine();
            assertTrue(first.startsWith("echo server (" + style + " style, 2 loops) listening on 127.0.0.1:"), first);
            int port = port(first);
            try (SocketMap map = new SocketMap()) {
                for (int i = 0; i < 2; i++) { // round robin: one connection per loop
                    byte[] message = ("ping " + i).getBytes(StandardCharsets.UTF_8);
                    assertArrayEquals(message, Loops.runUntilDone(map, new EchoClient("127.0.0.1", port, message, map).result(),
                            Duration.ofSeconds(10), "echo").join());
                }
            }
            assertTrue(out.readLine().startsWith("incoming connection from 127.0.0.1:"));
            assertTrue(out.readLine().startsWith("incoming connection from 127.0.0.1:"));
            assertEquals("echo server stopped\n", stop(p, out));
        } finally {
            p.destroyForcibly();
        }
    }

    private static final Path SOMAXCONN = Path.of("/proc/sys/net/core/somaxconn");

    /** Linux's somaxconn, read to its end as a stream (4096 where it cannot be read, as the library's fallback). */
    private static int systemBacklog() throws java.io.IOException {
        if (!java.nio.file.Files.isReadable(SOMAXCONN)) {
            return 4096;
        }
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(SOMAXCONN)) {
            return Integer.parseInt(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"callback,7", "coroutine,7", "mixed,7", "callback,0", "coroutine,0", "mixed,0"})
    void echoServerListensWithTheBacklogAskedForOrTheSystemsByDefault(String style, int backlog) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(Path.of("/usr/bin/ss"))
                || java.nio.file.Files.isExecutable(Path.of("/bin/ss")), "needs iproute2's ss to read a listener's backlog");
        Process p = backlog == 0 ? start("echo-server", "--port", "0", "--style", style)
                : start("echo-server", "--port", "0", "--style", style, "--backlog", "" + backlog);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            int port = port(out.readLine());
            Process ss = new ProcessBuilder("ss", "-Hltn", "sport = :" + port).redirectErrorStream(true).start();
            String line = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertTrue(ss.waitFor(10, TimeUnit.SECONDS));
            // State Recv-Q Send-Q Local:Port Peer:Port; for a listener Send-Q is its backlog.
            int expected = backlog != 0 ? backlog : systemBacklog();
            assertEquals(expected, Integer.parseInt(line.split("\\s+")[2]), line);
            assertEquals("echo server stopped\n", stop(p, out));
        } finally {
            p.destroyForcibly();
        }
    }
}
