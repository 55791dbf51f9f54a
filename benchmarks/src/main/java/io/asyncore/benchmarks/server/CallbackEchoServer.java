package io.asyncore.benchmarks.server;

import io.asyncore.Asyncore;
import io.asyncore.Dispatcher;
import io.asyncore.DispatcherWithSend;
import io.asyncore.SocketMap;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;

/**
 * The asyncore callback echo server: Python's documented {@code EchoHandler}/{@code EchoServer}
 * pair on {@link DispatcherWithSend}, written against the core's public API only, driven by one
 * thread in {@link Asyncore#loop}.
 *
 * <p>One addition to the documentation's version: a connection stops reading while echoed bytes
 * wait to be sent, so a peer that writes faster than it reads cannot grow the server's memory
 * (every server in the comparison applies the same back-pressure).
 */
public final class CallbackEchoServer extends Dispatcher {
    private static final String NAME = "CallbackEchoServer";

    CallbackEchoServer(SocketMap map, InetSocketAddress address) throws IOException {
        super(map);
        createSocket();
        setReuseAddr();
        bind(address);
        listen(ServerArgs.BACKLOG);
    }

    @Override
    public void handleAccepted(SocketChannel sock, SocketAddress addr) {
        new EchoHandler(sock, map());
    }

    /** Echoes what it reads; reads only while nothing waits to be sent. */
    static final class EchoHandler extends DispatcherWithSend {
        EchoHandler(SocketChannel sock, SocketMap map) {
            super(sock, map);
        }

        @Override
        protected boolean announcesInterest() {
            return true; // readable() changes only when DispatcherWithSend announces a change of pendingBytes()
        }

        @Override
        public boolean readable() {
            return pendingBytes() == 0;
        }

        @Override
        public void handleRead() throws IOException {
            byte[] data = recv(8192);
            if (data.length > 0) {
                send(data);
            }
        }

        @Override
        public void handleClose() {
            close();
        }
    }

    public static void main(String[] args) throws IOException {
        InetSocketAddress address = ServerArgs.address(args, NAME);
        SocketMap map = new SocketMap();
        new CallbackEchoServer(map, address);
        ServerArgs.ready(NAME, address);
        Asyncore.loop(null, false, map);
    }
}
