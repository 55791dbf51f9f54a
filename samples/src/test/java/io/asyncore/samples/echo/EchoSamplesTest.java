package io.asyncore.samples.echo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.asyncore.SocketMap;
import io.asyncore.samples.BackgroundLoop;
import io.asyncore.samples.Loops;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@SuppressWarnings("try") // try-with-resources keeps servers up for a block without naming them
@Timeout(20)
class EchoSamplesTest {
    @Test
    void echoServerReturnsSmallAndLargeMessagesAndReportsEachPeer() throws Exception {
        SocketMap servers = new SocketMap();
        List<SocketAddress> peers = new CopyOnWriteArrayList<>();
        EchoServer server = new EchoServer(new InetSocketAddress("127.0.0.1", 0), servers, peers::add);
        int port = server.port();
        byte[] big = new byte[1 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 7);
        }
        try (BackgroundLoop loop = BackgroundLoop.start(servers, "echo-server"); SocketMap map = new SocketMap()) {
            byte[] hello = "hello, asyncore".getBytes(StandardCharsets.UTF_8);
            EchoClient small = new EchoClient("127.0.0.1", port, hello, map);
            assertArrayEquals(hello, Loops.runUntilDone(map, small.result(), Duration.ofSeconds(10), "echo").join());
            EchoClient large = new EchoClient("127.0.0.1", port, big, map);
            assertArrayEquals(big, Loops.runUntilDone(map, large.result(), Duration.ofSeconds(10), "echo").join());
        }
        assertEquals(2, peers.size());
    }

    @Test
    void groupEchoServerServesEachConnectionOnALoopOfItsGroup() throws Exception {
        List<String> servedOn = new CopyOnWriteArrayList<>();
        try (GroupEchoServer server = new GroupEchoServer(new InetSocketAddress("127.0.0.1", 0), 0, 2,
                peer -> servedOn.add(Thread.currentThread().getName()));
                SocketMap map = new SocketMap()) {
            for (int i = 0; i < 4; i++) {
                byte[] message = ("hello " + i).getBytes(StandardCharsets.UTF_8);
                EchoClient client = new EchoClient("127.0.0.1", server.port(), message, map);
                assertArrayEquals(message, Loops.runUntilDone(map, client.result(), Duration.ofSeconds(10), "echo").join());
            }
            assertArrayEquals(new long[] {2, 2}, server.group().servedCounts());
        }
        assertEquals(2, servedOn.stream().distinct().count(), "served on both loops: " + servedOn);
    }
}
