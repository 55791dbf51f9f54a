package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pass allocates nothing per idle channel: the bytes a pass allocates do not grow with the number
 * of idle connections in the map. Allocation counts do not depend on timing, so this is a test, not
 * a benchmark.
 */
@Timeout(120)
class IdlePassAllocationTest {
    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    private static double bytesPerPass(int idleConnections) throws IOException {
        List<SocketChannel> peers = new ArrayList<>();
        try (SocketMap map = new SocketMap();
                ServerSocketChannel l = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 4096)) {
            for (int i = 0; i < idleConnections; i++) {
                peers.add(SocketChannel.open(l.getLocalAddress()));
                new DispatcherWithSend(l.accept(), map) {
                    @Override
                    public void handleRead() throws IOException {
                        recv(100);
                    }
                };
            }
            int passes = 20_000;
            Asyncore.loop(Duration.ZERO, false, map, passes); // warm up: registration, JIT
            long before = allocatedBytes();
            Asyncore.loop(Duration.ZERO, false, map, passes);
            return (double) (allocatedBytes() - before) / passes;
        } finally {
            for (SocketChannel p : peers) {
                p.close();
            }
        }
    }

    @Test
    void idleConnectionsAddNoAllocationToAPass() throws IOException {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "needs per-thread allocation counters");
        double few = bytesPerPass(10);
        double many = bytesPerPass(2_000);
        assertTrue(many - few < 2_000 * 0.01,
                "a pass over 2,000 idle connections allocated " + many + " bytes, over 10 " + few);
    }
}
