package io.asyncore.benchmarks.server;

import io.asyncore.Asyncore;
import io.asyncore.Dispatcher;
import io.asyncore.SocketMap;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

/**
 * The listening side that the asyncore callback servers here share, and their {@code main}: a
 * {@link Dispatcher} that listens on the loopback address with {@link ServerArgs#BACKLOG}, sets
 * {@code TCP_NODELAY} on every accepted connection (as every server in the comparison does) and
 * hands it to {@link #serve}. Only the per-connection handlers differ, and each server keeps its own.
 *
 * <p>Nothing here runs per read or per write: it acts once per accepted connection.
 */
abstract class EchoListener extends Dispatcher {
    /** Makes the listener of one server, in {@code map}, on {@code address}. */
    @FunctionalInterface
    interface Factory {
        EchoListener listen(SocketMap map, InetSocketAddress address) throws IOException;
    }

    EchoListener(SocketMap map, InetSocketAddress address) throws IOException {
        super(map);
        createSocket();
        setReuseAddr();
        bind(address);
        listen(ServerArgs.BACKLOG);
    }

    @Override
    public final void handleAccepted(SocketChannel sock, SocketAddress addr) throws IOException {
        sock.setOption(StandardSocketOptions.TCP_NODELAY, true); // as every server here (Netty's default)
        serve(sock);
    }

    /** Serves one accepted connection in {@link #map()}: makes its handler. */
    abstract void serve(SocketChannel sock) throws IOException;

    /**
     * A server's {@code main}: reads the port from {@code args}, listens in a map of its own, prints
     * the {@code READY} line {@code run.sh} waits for, and runs the loop on this thread until the
     * process is ended.
     */
    static void run(String[] args, String name, Factory factory) throws IOException {
        InetSocketAddress address = ServerArgs.address(args, name);
        SocketMap map = new SocketMap();
        factory.listen(map, address);
        ServerArgs.ready(name, address);
        Asyncore.loop(null, false, map);
    }
}
