package io.asyncore.samples.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.asyncore.SocketMap;
import io.asyncore.samples.BackgroundLoop;
import io.asyncore.samples.Loops;
import io.asyncore.samples.SampleException;
import io.asyncore.samples.cli.CoroutineSamples;
import io.asyncore.samples.echo.RunningServer;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The coroutine time client and servers against the callback ones, both ways round, over IPv4 and IPv6. */
@SuppressWarnings("try") // try-with-resources keeps servers up for a block without naming them
@Timeout(30)
class CoroutineTimeTest {
    private static final Instant FIXED = Instant.parse("2026-11-22T06:20:00Z");
    private static final Clock CLOCK = Clock.fixed(FIXED, ZoneOffset.UTC);
    private static final Duration LIMIT = Duration.ofSeconds(10);

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void coroutineUdpClientGetsTheTimeOfTheCallbackServer(String host) throws Exception {
        SocketMap servers = new SocketMap();
        UdpTimeServer server = new UdpTimeServer(new InetSocketAddress(host, 0), CLOCK, servers);
        try (BackgroundLoop loop = BackgroundLoop.start(servers, "time-servers"); SocketMap map = new SocketMap()) {
            for (int i = 0; i < 3; i++) { // the socket of each request is closed: nothing piles up
                assertEquals(FIXED, CoroutineSamples.fetchUdpTime(map, host, server.port(), LIMIT));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void callbackUdpClientGetsTheTimeOfTheCoroutineServer(String host) throws Exception {
        try (RunningServer server = CoroutineTimeServers.startUdp(new InetSocketAddress(host, 0), CLOCK);
                SocketMap map = new SocketMap()) {
            for (int i = 0; i < 3; i++) { // the server keeps answering
                UdpTimeClient client = new UdpTimeClient(host, server.port(), map);
                assertEquals(FIXED, Loops.runUntilDone(map, client.result(), LIMIT, "udp time client").join());
            }
            assertEquals(FIXED, CoroutineSamples.fetchUdpTime(map, host, server.port(), LIMIT));
        }
    }

    @Test
    void coroutineTcpAndUdpServersOnOnePortAnswerTheCallbackClients() throws Exception {
        SocketMap servers = new SocketMap();
        int port = CoroutineTimeServers.start(servers, new InetSocketAddress("127.0.0.1", 0), CLOCK);
        try (BackgroundLoop loop = BackgroundLoop.start(servers, "time-servers"); SocketMap map = new SocketMap()) {
            assertEquals(FIXED, Loops.runUntilDone(map, new TimeClient("127.0.0.1", port, map).result(), LIMIT, "tcp").join());
            assertEquals(FIXED, Loops.runUntilDone(map, new UdpTimeClient("127.0.0.1", port, map).result(), LIMIT, "udp").join());
            assertEquals(FIXED, CoroutineSamples.fetchTime(map, "127.0.0.1", port, LIMIT));
        }
    }

    @Test
    void coroutineUdpClientGivesUpWithAClearMessageWhenNobodyAnswers() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getByName("127.0.0.1")); SocketMap map = new SocketMap()) {
            SampleException e = assertThrows(SampleException.class,
                    () -> CoroutineSamples.fetchUdpTime(map, "127.0.0.1", silent.getLocalPort(), LIMIT));
            assertEquals("no reply from the time server at 127.0.0.1:" + silent.getLocalPort()
                    + " after 3 requests over UDP (is it serving UDP on that port?)", e.getMessage());
        }
    }
}
