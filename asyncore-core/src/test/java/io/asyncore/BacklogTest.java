package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The listen backlog: the system's unless given; an explicit number keeps its meaning. */
@Timeout(30)
class BacklogTest {
    private final SocketMap map = new SocketMap();

    @AfterEach
    void tearDown() {
        map.close();
    }

    @Test
    void theDefaultBacklogIsWhatTheSystemAllows(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("somaxconn");
        Files.writeString(file, "1024\n");
        assertEquals(1024, Backlog.read(file));
        Files.writeString(file, "not a number");
        assertEquals(Backlog.FALLBACK, Backlog.read(file));
        Files.writeString(file, "0");
        assertEquals(Backlog.FALLBACK, Backlog.read(file));
        assertEquals(Backlog.FALLBACK, Backlog.read(dir.resolve("missing")));
        assertEquals(systemBacklog(), Asyncore.defaultBacklog());
    }

    /** somaxconn read another way than the library's (a stream, to its end), or the fallback. */
    static int systemBacklog() throws IOException {
        if (!Files.isReadable(Backlog.SOMAXCONN)) {
            return Backlog.FALLBACK;
        }
        try (var in = Files.newInputStream(Backlog.SOMAXCONN)) {
            int n = Integer.parseInt(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim());
            assertTrue(n >= 128, "somaxconn is at least 128 on any Linux of the last decades: " + n);
            return n;
        }
    }

    @Test
    void listenWithoutANumberAndListenZeroUseTheSystemsBacklog() throws Exception {
        assertEquals(systemBacklog(), listeningBacklog(d -> d.listen()));
        assertEquals(systemBacklog(), listeningBacklog(d -> d.listen(0)));
    }

    @Test
    void anExplicitBacklogKeepsItsMeaning() throws Exception {
        assertEquals(5, listeningBacklog(d -> d.listen(5)));
        assertEquals(1000, listeningBacklog(d -> d.listen(1000)));
    }

    interface Listen {
        void apply(Dispatcher d) throws IOException;
    }

    /** The backlog the kernel reports for a listener made with {@code how} (Linux's {@code ss}: Send-Q of a listener). */
    private int listeningBacklog(Listen how) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/ss")) || Files.isExecutable(Path.of("/bin/ss")),
                "needs iproute2's ss to read a listener's backlog");
        Dispatcher d = new Dispatcher(map);
        d.createSocket();
        d.bind(new InetSocketAddress("127.0.0.1", 0));
        how.apply(d);
        int port = ((InetSocketAddress) ((ServerSocketChannel) d.socket()).getLocalAddress()).getPort();
        Process ss = new ProcessBuilder("ss", "-Hltn", "sport = :" + port).redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes()).trim();
        ss.waitFor(10, TimeUnit.SECONDS);
        d.close();
        // State Recv-Q Send-Q Local:Port Peer:Port; for a listener Send-Q is its backlog.
        List<String> fields = List.of(out.split("\\s+"));
        assumeTrue(fields.size() >= 4, "ss printed no listener line: '" + out + "'");
        return Integer.parseInt(fields.get(2));
    }
}
