package io.asyncore.samples.time;

import io.asyncore.Asyncore;
import io.asyncore.SocketMap;
import io.asyncore.SocketType;
import io.asyncore.samples.Failures;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Clock;

/**
 * The RFC 868 time server over UDP: every datagram received is answered with a 4-byte datagram
 * holding the time.
 *
 * <p>Threading: for the thread that runs {@code map}. A reply the kernel cannot take at once is
 * dropped, as UDP allows; the client asks again.
 */
public class UdpTimeServer extends ReadOnlyDispatcher {
    private final Clock clock;
    private final ByteBuffer request = ByteBuffer.allocate(512);

    /**
     * Binds a datagram socket to {@code address} (port 0 picks a free port; see {@link #port()}).
     *
     * @throws java.net.BindException if the address is in use or needs privileges
     */
    public UdpTimeServer(SocketAddress address, Clock clock, SocketMap map) throws IOException {
        super(map);
        this.clock = clock;
        createSocket(Asyncore.protocolFamily(address), SocketType.DATAGRAM);
        setReuseAddr();
        bind(address);
    }

    /** The port actually bound. */
    public int port() throws IOException {
        return ((InetSocketAddress) ((DatagramChannel) socket()).getLocalAddress()).getPort();
    }

    @Override
    public void handleRead() throws IOException {
        SocketAddress sender;
        while ((sender = recvFrom(request.clear())) != null) {
            sendTo(ByteBuffer.wrap(Rfc868.encode(clock.instant())), sender);
        }
    }

    @Override
    public void handleError(Throwable error) {
        // One bad exchange (for example an ICMP error surfacing) must not stop the server.
        logInfo("time request failed: " + Failures.describe(error, null), "error");
    }
}
