package io.asyncore.samples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.SocketMap;
import io.asyncore.samples.BackgroundLoop;
import io.asyncore.samples.Loops;
import io.asyncore.samples.SampleException;
import io.asyncore.samples.echo.CoroutineEchoServers;
import io.asyncore.samples.echo.EchoClient;
import io.asyncore.samples.echo.EchoServer;
import io.asyncore.samples.echo.RunningServer;
import io.asyncore.samples.time.TimeServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The coroutine samples (time client, echo client, Flow and mixed echo servers), through their blocking entry points. */
@SuppressWarnings("try") // try-with-resources keeps servers up for a block without naming them
@Timeout(30)
class CoroutineSamplesTest {
    private static final Instant FIXED = Instant.parse("2026-11-22T06:20:00Z");
    private static final Duration LIMIT = Duration.ofSeconds(10);

    @Test
    void suspendingTimeClientGetsTheCallbackServersTime() throws Exception {
        SocketMap servers = new SocketMap();
        TimeServer server = new TimeServer(new InetSocketAddress("127.0.0.1", 0), Clock.fixed(FIXED, ZoneOffset.UTC), servers);
        int port = server.port();
        try (BackgroundLoop loop = BackgroundLoop.start(servers, "time"); SocketMap map = new SocketMap()) {
            assertEquals(FIXED, CoroutineSamples.fetchTime(map, "127.0.0.1", port, LIMIT));
            assertEquals(FIXED, CoroutineSamples.fetchTime(map, "127.0.0.1", port, LIMIT));
        }
    }

    @Test
    void suspendingTimeClientReportsAServerThatClosesEarly() throws Exception {
        try (ServerSocket raw = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1")); SocketMap map = new SocketMap()) {
            Thread t = new Thread(() -> {
                try (Socket s = raw.accept()) {
                    s.getOutputStream().write(new byte[] {1, 2, 3});
                } catch (Exception ignored) {
                    // the test fails on the client side
                }
            });
            t.start();
            SampleException e = assertThrows(SampleException.class,
                    () -> CoroutineSamples.fetchTime(map, "127.0.0.1", raw.getLocalPort(), LIMIT));
            assertEquals("the time server at 127.0.0.1:" + raw.getLocalPort() + " closed the connection after 3 of 4 bytes",
                    e.getMessage());
            t.join(5000);
        }
    }

    @Test
    void suspendingClientsReportARefusedConnectionInOneLine() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        try (SocketMap map = new SocketMap()) {
            SampleException time = assertThrows(SampleException.class, () -> CoroutineSamples.fetchTime(map, "127.0.0.1", port, LIMIT));
            assertTrue(time.getMessage().startsWith("cannot connect to 127.0.0.1:" + port + ": "), time.getMessage());
            SampleException echo = assertThrows(SampleException.class,
                    () -> CoroutineSamples.echo(map, "127.0.0.1", port, new byte[] {1}, LIMIT));
            assertTrue(echo.getMessage().startsWith("cannot connect to 127.0.0.1:" + port + ": "), echo.getMessage());
        }
    }

    @Test
    void suspendingEchoClientAgainstTheCallbackEchoServer() throws Exception {
        SocketMap servers = new SocketMap();
        EchoServer server = new EchoServer(new InetSocketAddress("127.0.0.1", 0), servers, addr -> { });
        int port = server.port();
        try (BackgroundLoop loop = BackgroundLoop.start(servers, "echo"); SocketMap map = new SocketMap()) {
            byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(hello, CoroutineSamples.echo(map, "127.0.0.1", port, hello, LIMIT));
        }
    }

    @Test
    void flowEchoServerServesCallbackAndSuspendingClientsAndLargeMessages() throws Exception {
        List<String> servedBy = new CopyOnWriteArrayList<>();
        byte[] big = new byte[1 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 13);
        }
        try (RunningServer server = CoroutineEchoServers.start("coroutine", new InetSocketAddress("127.0.0.1", 0),
                (peer, how) -> servedBy.add(how)); SocketMap map = new SocketMap()) {
            byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(hello, Loops.runUntilDone(map, new EchoClient("127.0.0.1", server.port(), hello, map).result(),
                    LIMIT, "echo").join());
            assertArrayEquals(big, CoroutineSamples.echo(map, "127.0.0.1", server.port(), big, LIMIT));
            assertArrayEquals(big, Loops.runUntilDone(map, new EchoClient("127.0.0.1", server.port(), big, map).result(),
                    LIMIT, "echo").join());
        }
        assertEquals(List.of("coroutine", "coroutine", "coroutine"), servedBy);
    }

    @Test
    void mixedEchoServerAlternatesCallbackAndCoroutineConnectionsOnOneLoop() throws Exception {
        List<String> servedBy = new CopyOnWriteArrayList<>();
        try (RunningServer server = CoroutineEchoServers.start("mixed", new InetSocketAddress("127.0.0.1", 0),
                (peer, how) -> servedBy.add(how)); SocketMap map = new SocketMap()) {
            // Two connections open at once (one of each kind), then two more one after the other.
            byte[] a = "first".getBytes(StandardCharsets.UTF_8);
            byte[] b = "second".getBytes(StandardCharsets.UTF_8);
            EchoClient first = new EchoClient("127.0.0.1", server.port(), a, map);
            Loops.runUntilDone(map, first.result(), LIMIT, "echo");
            assertArrayEquals(a, first.result().join());
            assertArrayEquals(b, CoroutineSamples.echo(map, "127.0.0.1", server.port(), b, LIMIT));
            for (int i = 3; i <= 4; i++) {
                byte[] m = ("message " + i).getBytes(StandardCharsets.UTF_8);
                assertArrayEquals(m, CoroutineSamples.echo(map, "127.0.0.1", server.port(), m, LIMIT));
            }
        }
        assertEquals(List.of("callback", "coroutine", "callback", "coroutine"), servedBy);
    }

    @Test
    void echoServerThatCannotListenSaysWhy() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            for (String style : new String[] {"coroutine", "mixed"}) {
                java.net.BindException e = assertThrows(java.net.BindException.class, () -> CoroutineEchoServers.start(style,
                        new InetSocketAddress("127.0.0.1", taken.getLocalPort()), (peer, how) -> { }));
                assertTrue(e.getMessage().contains(String.valueOf(taken.getLocalPort())), e.getMessage());
            }
        }
    }
}
