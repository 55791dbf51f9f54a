package io.asyncore.samples.echo;

import io.asyncore.Asyncore;
import io.asyncore.Dispatcher;
import io.asyncore.SocketMap;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * The documentation's echo server: each accepted connection is served by an {@link EchoHandler}.
 *
 * <pre>{@code
 * new EchoServer(new InetSocketAddress("127.0.0.1", 8007), map, addr -> System.out.println("Incoming connection from " + addr));
 * Asyncore.loop(null, false, map);
 * }</pre>
 *
 * <p>Threading: for the thread that runs {@code map}; {@code onAccepted} is called there.
 */
public class EchoServer extends Dispatcher {
    private final Consumer<SocketAddress> onAccepted;
    /** The read buffer every connection of this server shares: they run on the loop thread one at a time. */
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(EchoHandler.READ_SIZE);

    /**
     * Listens on {@code address} (port 0 picks a free port; see {@link #port()}) with the system's
     * backlog ({@link Asyncore#defaultBacklog()}).
     *
     * @param onAccepted told each new peer's address
     * @throws java.net.BindException if the address is in use or needs privileges
     */
    public EchoServer(SocketAddress address, SocketMap map, Consumer<SocketAddress> onAccepted) throws IOException {
        this(address, 0, map, onAccepted);
    }

    /**
     * Listens on {@code address} with a backlog of {@code backlog} connections (0: the system's,
     * {@link Asyncore#defaultBacklog()}). The documentation's {@code listen(5)} overflows under a
     * burst of connects, and the kernel then drops or resets them.
     *
     * @param onAccepted told each new peer's address
     * @throws java.net.BindException if the address is in use or needs privileges
     * @throws IllegalArgumentException if {@code backlog} is negative
     */
    public EchoServer(SocketAddress address, int backlog, SocketMap map, Consumer<SocketAddress> onAccepted) throws IOException {
        super(map);
        if (backlog < 0) {
            throw new IllegalArgumentException("backlog < 0: " + backlog + " (0 means the system's, " + Asyncore.defaultBacklog() + ")");
        }
        this.onAccepted = onAccepted;
        createSocket(Asyncore.protocolFamily(address));
        setReuseAddr();
        bind(address);
        listen(backlog);
    }

    /** The port actually listened on. */
    public int port() throws IOException {
        return ((InetSocketAddress) ((ServerSocketChannel) socket()).getLocalAddress()).getPort();
    }

    /**
     * Serves the connection with an {@link EchoHandler}, with Nagle's algorithm off
     * ({@code TCP_NODELAY}, as Netty and asyncio set it): an echo sends what it has at once, and
     * with Nagle's algorithm the tail of each burst waits for the peer's delayed acknowledgement.
     */
    @Override
    public void handleAccepted(SocketChannel sock, SocketAddress addr) throws IOException {
        sock.setOption(StandardSocketOptions.TCP_NODELAY, true);
        onAccepted.accept(addr);
        newHandler(sock, addr, readBuffer);
    }

    /**
     * Serves one accepted connection: an {@link EchoHandler} reading into {@code shared}, the
     * buffer every connection of this server shares. {@link TlsEchoServer} starts TLS here.
     */
    protected EchoHandler newHandler(SocketChannel sock, SocketAddress addr, ByteBuffer shared) throws IOException {
        return new EchoHandler(sock, map(), shared);
    }
}
