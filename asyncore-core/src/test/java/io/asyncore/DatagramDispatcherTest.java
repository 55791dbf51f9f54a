package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.testing.RunLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;

/** UDP dispatchers: createSocket(family, DATAGRAM), recvFrom/sendTo, and connected datagram sockets. */
@Timeout(30)
class DatagramDispatcherTest {
    private final SocketMap map = new SocketMap();

    @AfterEach
    void tearDown() {
        map.close();
    }

    /** Answers each datagram with its upper-cased copy, to the sender. */
    static class UpperServer extends Dispatcher {
        UpperServer(SocketMap map, ProtocolFamily family, String host) throws IOException {
            super(map);
            createSocket(family, SocketType.DATAGRAM);
            bind(new InetSocketAddress(host, 0));
        }

        @Override
        public boolean writable() {
            return false;
        }

        @Override
        public void handleRead() throws IOException {
            ByteBuffer b = ByteBuffer.allocate(1500);
            SocketAddress from = recvFrom(b);
            if (from != null) {
                String text = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).toUpperCase();
                sendTo(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)), from);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = StandardProtocolFamily.class, names = {"INET", "INET6"})
    void aDatagramServerAnswersAConnectedDatagramClient(StandardProtocolFamily family) throws IOException {
        String host = family == StandardProtocolFamily.INET ? "127.0.0.1" : "::1";
        UpperServer server = new UpperServer(map, family, host);
        SocketAddress serverAddress = ((DatagramChannel) server.socket()).getLocalAddress();
        List<String> replies = new ArrayList<>();
        List<String> events = new ArrayList<>();
        Dispatcher client = new Dispatcher(map) {
            private boolean sent;

            @Override
            public void handleConnect() {
                events.add("connect");
            }

            @Override
            public boolean writable() {
                return !sent;
            }

            @Override
            public void handleWrite() throws IOException {
                sent = send("ping".getBytes(StandardCharsets.US_ASCII)) == 4;
            }

            @Override
            public void handleRead() throws IOException {
                byte[] reply = recv(1500);
                replies.add(new String(reply, StandardCharsets.US_ASCII));
                close();
            }
        };
        client.createSocket(family, SocketType.DATAGRAM);
        client.connect(serverAddress);
        assertTrue(client.isConnected(), "a datagram connect completes at once");
        assertEquals(List.of("connect"), events);
        RunLoop.until(map, false, client::isClosed);
        assertEquals(List.of("PING"), replies);
    }
}
