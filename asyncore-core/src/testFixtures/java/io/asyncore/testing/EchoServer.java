package io.asyncore.testing;

import io.asyncore.Dispatcher;
import io.asyncore.SocketMap;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** The documentation's echo server on 127.0.0.1 and a free port: an {@link EchoHandler} for each connection. */
public class EchoServer extends Dispatcher {
    /** Listens in {@code map} with room for {@code backlog} connections not yet accepted. */
    public EchoServer(SocketMap map, int backlog) throws IOException {
        super(map);
        createSocket();
        setReuseAddr();
        bind(new InetSocketAddress("127.0.0.1", 0));
        listen(backlog);
    }

    /** The address it listens on. */
    public SocketAddress address() throws IOException {
        return ((ServerSocketChannel) socket()).getLocalAddress();
    }

    @Override
    public void handleAccepted(SocketChannel sock, SocketAddress addr) {
        new EchoHandler(sock, map());
    }
}
