package io.asyncore.benchmarks.server;

import io.asyncore.Asyncore;
import io.asyncore.Dispatcher;
import io.asyncore.LoopGroup;
import io.asyncore.SocketMap;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The listening side that the asyncore callback servers here share, and their {@code main}: a
 * {@link Dispatcher} that listens on the loopback address with {@link ServerArgs#BACKLOG}, sets
 * {@code TCP_NODELAY} on every accepted connection (as every server in the comparison does) and
 * hands it to {@link #serve}, in its own map or, with {@code --loops N}, on the loop of a
 * {@link LoopGroup} that the group's round robin picks. Only the per-connection handlers differ, and each server keeps its own.
 *
 * <p>Nothing here runs per read or per write: it acts once per accepted connection.
 */
abstract class EchoListener extends Dispatcher {
    /** Makes the listener of one server, in {@code map}, on {@code address}. */
    @FunctionalInterface
    interface Factory {
        EchoListener listen(SocketMap map, InetSocketAddress address) throws IOException;
    }

    /** The group the connections are handed to, or null to serve them in this listener's map. */
    private LoopGroup group;
    private final Map<SocketMap, ByteBuffer> buffers = new ConcurrentHashMap<>();

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
        if (group == null) {
            serve(sock, map());
        } else {
            group.serve(sock, this::serve);
        }
    }

    /** Serves one accepted connection in {@code map}, on its loop thread: makes its handler. */
    abstract void serve(SocketChannel sock, SocketMap map) throws IOException;

    /** The read buffer the handlers of {@code map} share (they run on its thread one at a time); one per loop. */
    final ByteBuffer readBuffer(SocketMap map) {
        return buffers.computeIfAbsent(map, m -> ByteBuffer.allocateDirect(65536));
    }

    /**
     * A server's {@code main}: reads the port from {@code args}, listens in a map of its own, prints
     * the {@code READY} line {@code run.sh} waits for, and runs the loop on this thread until the
     * process is ended.
     */
    static void run(String[] args, String name, Factory factory) throws IOException, InterruptedException {
        InetSocketAddress address = ServerArgs.address(args, name);
        int loops = ServerArgs.loops(args, name);
        if (loops == 1) {
            SocketMap map = new SocketMap();
            factory.listen(map, address);
            ServerArgs.ready(name, address);
            Asyncore.loop(null, false, map);
            return;
        }
        LoopGroup group = new LoopGroup(loops);
        factory.listen(group.loop(0), address).group = group; // before start(): set up from this thread
        group.start();
        ServerArgs.ready(name, address);
        ServerArgs.awaitForever(group);
    }
}
