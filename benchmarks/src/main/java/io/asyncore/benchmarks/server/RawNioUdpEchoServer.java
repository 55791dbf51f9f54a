package io.asyncore.benchmarks.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * A hand-written JDK NIO datagram echo on one thread, a {@link DatagramChannel} and a {@link Selector}:
 * the floor of what the JDK costs, against which the asyncore datagram servers are measured.
 *
 * <p>Each read event drains the socket: every datagram waiting is received into one shared direct
 * buffer and sent straight back to its sender, until {@code receive} finds none. A datagram the
 * kernel has no room to send is dropped, as UDP allows (the load generator counts it lost and sends
 * the next). {@code --loops N} is accepted and ignored: one socket, one loop.
 */
public final class RawNioUdpEchoServer {
    private static final String NAME = "RawNioUdpEchoServer";

    private RawNioUdpEchoServer() {
    }

    public static void main(String[] args) throws IOException {
        InetSocketAddress address = ServerArgs.address(args, NAME);
        DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET).bind(address);
        channel.configureBlocking(false);
        Selector selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
        ByteBuffer shared = ByteBuffer.allocateDirect(65536);
        ServerArgs.ready(NAME, address);
        NioSockets.loop(selector, key -> echoAll(channel, shared));
    }

    /** Echoes every datagram waiting, through {@code shared}, until none is left. */
    private static void echoAll(DatagramChannel channel, ByteBuffer shared) {
        try {
            SocketAddress sender;
            while ((sender = channel.receive(shared.clear())) != null) {
                channel.send(shared.flip(), sender);
            }
        } catch (IOException e) {
            FailureLog.report(NAME, e); // one bad exchange does not end the server
        }
    }
}
