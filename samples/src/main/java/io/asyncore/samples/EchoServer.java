package io.asyncore.samples;

import io.asyncore.Dispatcher;
import io.asyncore.SocketMap;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
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

    /**
     * Listens on {@code address} (port 0 picks a free port; see {@link #port()}).
     *
     * @param onAccepted told each new peer's address
     * @throws java.net.BindException if the address is in use or needs privileges
     */
    public EchoServer(SocketAddress address, SocketMap map, Consumer<SocketAddress> onAccepted) throws IOException {
        super(map);
        this.onAccepted = onAccepted;
        createSocket(address instanceof InetSocketAddress i && i.getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        setReuseAddr();
        bind(address);
        listen(5);
    }

    /** The port actually listened on. */
    public int port() throws IOException {
        return ((InetSocketAddress) ((ServerSocketChannel) socket()).getLocalAddress()).getPort();
    }

    @Override
    public void handleAccepted(SocketChannel sock, SocketAddress addr) {
        onAccepted.accept(addr);
        new EchoHandler(sock, map());
    }
}
