package io.asyncore.samples.time;

import io.asyncore.Asyncore;
import io.asyncore.Dispatcher;
import io.asyncore.SocketMap;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Clock;

/**
 * The RFC 868 time server over TCP: every accepted connection gets the 4-byte time and is closed.
 *
 * <pre>{@code
 * new TimeServer(new InetSocketAddress("127.0.0.1", 8037), Clock.systemUTC(), map);
 * Asyncore.loop(null, false, map);
 * }</pre>
 *
 * <p>Threading: like every dispatcher, for the thread that runs {@code map}.
 */
public class TimeServer extends Dispatcher {
    private final Clock clock;

    /**
     * Listens on {@code address} (port 0 picks a free port; see {@link #port()}).
     *
     * @throws java.net.BindException if the address is in use or needs privileges
     */
    public TimeServer(SocketAddress address, Clock clock, SocketMap map) throws IOException {
        super(map);
        this.clock = clock;
        createSocket(Asyncore.protocolFamily(address));
        setReuseAddr();
        bind(address);
        listen(16);
    }

    /** The port actually listened on. */
    public int port() throws IOException {
        return ((InetSocketAddress) ((ServerSocketChannel) socket()).getLocalAddress()).getPort();
    }

    @Override
    public void handleAccepted(SocketChannel sock, SocketAddress addr) throws IOException {
        new TimeSender(sock, map(), Rfc868.encode(clock.instant()));
    }
}
