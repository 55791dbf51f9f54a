package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.testing.RunLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** DispatcherWithSend: buffered sends, 65536 bytes per send call, nothing lost. */
@Timeout(30)
class DispatcherWithSendTest {
    private final SocketMap map = new SocketMap();

    @AfterEach
    void tearDown() {
        map.close();
    }

    @Test
    void eachSendCallHandsTheKernelAtMost65536BytesAndQueuesTheRestInOrder() throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                SocketChannel peer = SocketChannel.open(listener.getLocalAddress())) {
            SocketChannel local = listener.accept();
            local.setOption(StandardSocketOptions.SO_SNDBUF, 1 << 20);
            DispatcherWithSend d = new DispatcherWithSend(local, map) {
                @Override
                public boolean readable() {
                    return false;
                }
            };
            byte[] payload = new byte[1_000_000];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) (i * 7);
            }
            assertEquals(payload.length, d.send(payload), "send takes every byte");
            assertTrue(d.pendingBytes() >= payload.length - DispatcherWithSend.SEND_CHUNK,
                    "one send call handed the kernel more than 65536 bytes: " + (payload.length - d.pendingBytes()));
            d.send(new byte[] {1, 2, 3});
            ByteBuffer got = ByteBuffer.allocate(payload.length + 3);
            peer.configureBlocking(false);
            RunLoop.until(map, false, () -> {
                try {
                    peer.read(got);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                return !got.hasRemaining();
            });
            byte[] expected = java.util.Arrays.copyOf(payload, payload.length + 3);
            expected[payload.length] = 1;
            expected[payload.length + 1] = 2;
            expected[payload.length + 2] = 3;
            assertArrayEquals(expected, got.array());
            assertEquals(0, d.pendingBytes());
            Asyncore.loop(Duration.ZERO, false, map, 1);
        }
    }

    @Test
    void debugModeLogsWhatIsSent() throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                SocketChannel peer = SocketChannel.open(listener.getLocalAddress());
                LogCapture log = new LogCapture()) {
            DispatcherWithSend d = new DispatcherWithSend(listener.accept(), map);
            d.setDebug(true);
            d.send(new byte[] {120});
            assertEquals(java.util.List.of("info: sending 1 bytes"), log.messages());
            assertTrue(peer.isConnected());
        }
    }
}
