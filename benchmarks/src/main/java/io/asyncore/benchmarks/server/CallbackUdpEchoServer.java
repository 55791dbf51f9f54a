package io.asyncore.benchmarks.server;

import io.asyncore.Asyncore;
import io.asyncore.Dispatcher;
import io.asyncore.SocketMap;
import io.asyncore.SocketType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * The asyncore callback datagram echo: one {@link Dispatcher} on a datagram socket
 * ({@code createSocket(family, SocketType.DATAGRAM)}), whose {@code handleRead} answers each datagram
 * with {@code recvFrom}, then {@code sendTo} back to its sender, driven by one thread in
 * {@link Asyncore#loop}. Written against the core's public API only, as the samples' UDP time server is.
 *
 * <p>The same shape as the floor, {@link RawNioUdpEchoServer}: each read event drains the socket into
 * one direct buffer, and a datagram the kernel has no room to send is dropped, as UDP allows. It never
 * wants write events, and says so once ({@link #announcesInterest()}), so the loop does not ask on
 * every pass. {@code --loops N} is accepted and ignored: one socket, one loop.
 */
public final class CallbackUdpEchoServer extends Dispatcher {
    private static final String NAME = "CallbackUdpEchoServer";

    private final ByteBuffer shared = ByteBuffer.allocateDirect(65536);

    CallbackUdpEchoServer(SocketMap map, InetSocketAddress address) throws IOException {
        super(map);
        createSocket(Asyncore.protocolFamily(address), SocketType.DATAGRAM);
        bind(address);
    }

    /** Its answers never change: the loop need not ask them on every pass. */
    @Override
    protected boolean announcesInterest() {
        return true;
    }

    /** Replies are sent at once or dropped: nothing waits for a write event. */
    @Override
    public boolean writable() {
        return false;
    }

    @Override
    public void handleRead() throws IOException {
        SocketAddress sender;
        while ((sender = recvFrom(shared.clear())) != null) {
            sendTo(shared.flip(), sender);
        }
    }

    /** One bad exchange (an ICMP error surfacing, say) does not end the server. */
    @Override
    public void handleError(Throwable error) {
        FailureLog.report(NAME, error);
    }

    public static void main(String[] args) throws IOException {
        InetSocketAddress address = ServerArgs.address(args, NAME);
        SocketMap map = new SocketMap();
        new CallbackUdpEchoServer(map, address);
        ServerArgs.ready(NAME, address);
        Asyncore.loop(null, false, map);
    }
}
