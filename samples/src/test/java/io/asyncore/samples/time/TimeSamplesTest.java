package io.asyncore.samples.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.SocketMap;
import io.asyncore.samples.BackgroundLoop;
import io.asyncore.samples.Loops;
import io.asyncore.samples.SampleException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@SuppressWarnings("try") // try-with-resources keeps servers up for a block without naming them
@Timeout(20)
class TimeSamplesTest {
    private static final Instant FIXED = Instant.parse("2026-11-22T06:20:00Z");
    private static final Clock CLOCK = Clock.fixed(FIXED, ZoneOffset.UTC);
    private static final Duration LIMIT = Duration.ofSeconds(10);

    @Test
    void tcpClientGetsTheServersTime() throws Exception {
        SocketMap servers = new SocketMap();
        TimeServer server = new TimeServer(new InetSocketAddress("127.0.0.1", 0), CLOCK, servers);
        int port = server.port();
        try (BackgroundLoop loop = BackgroundLoop.start(servers, "time-servers"); SocketMap map = new SocketMap()) {
            for (int i = 0; i < 3; i++) { // the server keeps serving after each connection
                TimeClient client = new TimeClient("127.0.0.1", port, map);
                assertEquals(FIXED, Loops.runUntilDone(map, client.result(), LIMIT, "time client").join());
                assertTrue(client.isClosed());
            }
        }
    }

    @Test
    void tcpServerSendsFourBytesThenCloses() throws Exception {
        SocketMap servers = new SocketMap();
        TimeServer server = new TimeServer(new InetSocketAddress("127.0.0.1", 0), CLOCK, servers);
        try (BackgroundLoop loop = BackgroundLoop.start(servers, "time-servers");
                Socket s = new Socket(InetAddress.getByName("127.0.0.1"), server.port())) {
            s.setSoTimeout(10_000);
            byte[] all = s.getInputStream().readAllBytes();
            assertEquals(4, all.length);
            assertEquals(FIXED, Rfc868.decode(all, FIXED));
        }
    }

    @Test
    void udpClientGetsTheServersTime() throws Exception {
        SocketMap servers = new SocketMap();
        UdpTimeServer server = new UdpTimeServer(new InetSocketAddress("127.0.0.1", 0), CLOCK, servers);
        int port = server.port();
        try (BackgroundLoop loop = BackgroundLoop.start(servers, "time-servers"); SocketMap map = new SocketMap()) {
            UdpTimeClient client = new UdpTimeClient("127.0.0.1", port, map);
            assertEquals(FIXED, Loops.runUntilDone(map, client.result(), LIMIT, "udp time client").join());
        }
    }

    @Test
    void udpServerAnswersAnEmptyDatagramWithFourBytes() throws Exception {
        SocketMap servers = new SocketMap();
        UdpTimeServer server = new UdpTimeServer(new InetSocketAddress("127.0.0.1", 0), CLOCK, servers);
        try (BackgroundLoop loop = BackgroundLoop.start(servers, "time-servers");
                DatagramSocket s = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            s.setSoTimeout(10_000);
            s.send(new DatagramPacket(new byte[0], 0, new InetSocketAddress("127.0.0.1", server.port())));
            DatagramPacket reply = new DatagramPacket(new byte[16], 16);
            s.receive(reply);
            assertEquals(4, reply.getLength());
            assertEquals(FIXED, Rfc868.decode(java.util.Arrays.copyOf(reply.getData(), 4), FIXED));
        }
    }

    @Test
    void udpClientGivesUpWithAClearMessageWhenNobodyAnswers() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getByName("127.0.0.1")); SocketMap map = new SocketMap()) {
            UdpTimeClient client = new UdpTimeClient("127.0.0.1", silent.getLocalPort(), map);
            CompletionException e = assertThrows(CompletionException.class,
                    () -> Loops.runUntilDone(map, client.result(), LIMIT, "udp time client").join());
            assertEquals("no reply from the time server at 127.0.0.1:" + silent.getLocalPort()
                    + " after 3 requests over UDP (is it serving UDP on that port?)", e.getCause().getMessage());
        }
    }

    @Test
    void tcpClientReportsAServerThatClosesEarly() throws Exception {
        try (ServerSocket raw = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1")); SocketMap map = new SocketMap()) {
            Thread t = new Thread(() -> {
                try (Socket s = raw.accept()) {
                    s.getOutputStream().write(new byte[] {1, 2});
                } catch (Exception ignored) {
                    // the test fails on the client side
                }
            });
            t.start();
            TimeClient client = new TimeClient("127.0.0.1", raw.getLocalPort(), map);
            CompletionException e = assertThrows(CompletionException.class,
                    () -> Loops.runUntilDone(map, client.result(), LIMIT, "time client").join());
            assertEquals("the time server at 127.0.0.1:" + raw.getLocalPort() + " closed the connection after 2 of 4 bytes",
                    e.getCause().getMessage());
            t.join(5000);
        }
    }

    @Test
    void tcpClientReportsARefusedConnectionInOneLine() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        try (SocketMap map = new SocketMap()) {
            TimeClient client = new TimeClient("127.0.0.1", port, map);
            CompletionException e = assertThrows(CompletionException.class,
                    () -> Loops.runUntilDone(map, client.result(), LIMIT, "time client").join());
            assertInstanceOf(SampleException.class, e.getCause());
            assertTrue(e.getCause().getMessage().startsWith("cannot connect to 127.0.0.1:" + port + ": "), e.getCause().getMessage());
        }
    }
}
