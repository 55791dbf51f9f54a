package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.asyncore.testing.EchoServer;
import io.asyncore.testing.RunLoop;
import java.io.File;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Nothing leaks: connections opened and closed through the loop give back every descriptor. */
@Timeout(120)
class DescriptorLeakTest {
    private static int openDescriptors() {
        String[] fds = new File("/proc/self/fd").list();
        assumeTrue(fds != null, "needs /proc/self/fd");
        return fds.length;
    }

    /** A client that sends one message, reads the echo, and closes. */
    static class OneShot extends DispatcherWithSend {
        private int echoed;

        OneShot(SocketMap map, SocketAddress server) throws IOException {
            super(map);
            createSocket();
            connect(server);
            send(new byte[] {1, 2, 3, 4});
        }

        @Override
        public void handleConnect() {
        }

        @Override
        public void handleRead() throws IOException {
            echoed += recv(16).length;
            if (echoed == 4) {
                close();
            }
        }

        @Override
        public void handleClose() {
            close();
        }
    }

    private static void cycle(SocketMap map, SocketAddress server, int connections) throws IOException {
        for (int done = 0; done < connections; done += 100) {
            for (int i = 0; i < Math.min(100, connections - done); i++) {
                new OneShot(map, server);
            }
            RunLoop.until(map, false, () -> map.size() == 1); // only the server is left
        }
    }

    @Test
    void aThousandConnectionsOpenedAndClosedGiveBackEveryDescriptor() throws IOException {
        SocketMap map = new SocketMap();
        EchoServer server = new EchoServer(map, 256); // takes a batch of 100 connects at once
        SocketAddress address = ((ServerSocketChannel) server.socket()).getLocalAddress();
        cycle(map, address, 10); // warm up: classes loaded, shared read buffer allocated
        int baseline = openDescriptors();
        cycle(map, address, 1000);
        assertEquals(baseline, openDescriptors(), "descriptors after 1,000 connections");
        map.close();
    }
}
