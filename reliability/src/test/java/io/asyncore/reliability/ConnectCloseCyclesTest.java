package io.asyncore.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.asyncore.Dispatcher;
import io.asyncore.SocketMap;
import io.asyncore.testing.SelectorKeys;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 100,000 connect/close cycles through a server on the loop: open descriptors and selection keys
 * come back to their baseline and the heap stays flat.
 */
@Timeout(600)
class ConnectCloseCyclesTest {
    static final int CYCLES = Integer.getInteger("reliability.cycles", 100_000);

    /** Greets each connection with one byte and closes it, so the server side closes first. */
    static final class Greeter extends Dispatcher {
        Greeter(SocketMap map) throws IOException {
            super(map);
            createSocket();
            setReuseAddr();
            bind(new InetSocketAddress("127.0.0.1", 0));
            listen(4096);
        }

        SocketAddress address() throws IOException {
            return ((ServerSocketChannel) socket()).getLocalAddress();
        }

        @Override
        public void handleAccepted(SocketChannel sock, SocketAddress addr) {
            new Dispatcher(sock, map()) {
                @Override
                public boolean readable() {
                    return false;
                }

                @Override
                public void handleWrite() throws IOException {
                    send(new byte[] {'!'});
                    close();
                }
            };
        }
    }

    private static int openDescriptors() {
        String[] fds = new File("/proc/self/fd").list();
        assumeTrue(fds != null, "needs /proc/self/fd");
        return fds.length;
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void cycles(SocketAddress server, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4);
        for (int i = 0; i < n; i++) {
            try (SocketChannel c = SocketChannel.open(server)) {
                b.clear();
                while (c.read(b) >= 0) {
                    // the greeting, then end of stream
                }
                if (b.position() != 1) {
                    throw new AssertionError("cycle " + i + ": expected the one-byte greeting, got " + b.position());
                }
            }
        }
    }

    @Test
    void connectCloseCyclesGiveBackDescriptorsAndKeysAndKeepTheHeapFlat() throws Exception {
        try (BackgroundLoop server = new BackgroundLoop("greeter")) {
            SocketAddress address = server.call(() -> new Greeter(server.map).address());
            cycles(address, 2_000); // warm up
            waitForOnlyTheListener(server);
            int fds = openDescriptors();
            int keys = server.call(() -> SelectorKeys.count(server.map));
            long heap = usedHeapAfterGc();

            cycles(address, CYCLES);
            waitForOnlyTheListener(server);
            // Two round trips to the loop: the pass after the last close selects, which deregisters its key.
            server.call(() -> null);
            server.call(() -> null);
            int fdsAfter = openDescriptors();
            int keysAfter = server.call(() -> SelectorKeys.count(server.map));
            long heapAfter = usedHeapAfterGc();
            System.out.printf("reliability: %d connect/close cycles; descriptors %d -> %d; keys %d -> %d; heap %d KiB -> %d KiB%n",
                    CYCLES, fds, fdsAfter, keys, keysAfter, heap / 1024, heapAfter / 1024);
            assertEquals(fds, fdsAfter, "open descriptors");
            assertEquals(keys, keysAfter, "selection keys");
            assertTrue(heapAfter - heap < 16L << 20, "heap grew by " + (heapAfter - heap) / 1024 + " KiB");
        }
    }

    private static void waitForOnlyTheListener(BackgroundLoop server) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (server.call(server.map::size) > 1) {
            if (System.nanoTime() > end) {
                throw new AssertionError("server connections still open after 30 s");
            }
        }
    }
}
