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
 * With {@code --loops N --reuseport} there is one listener per loop instead, all bound with
 * {@code SO_REUSEPORT}, each serving the connections it accepts on its own loop (the group's
 * {@code listenOnEachLoop} mode): the kernel spreads the connects.
 *
 * <p>Nothing here runs per read or per write: it acts once per accepted connection.
 */
abstract class EchoListener extends Dispatcher {
    /** Makes the listener of one server, in {@code map}, on {@code address}. */
    @FunctionalInterface
    interface Factory {
        EchoListener listen(SocketMap map, InetSocketAddress address, boolean reusePort) throws IOException;
    }

    /** The group the connections are handed to, or null to serve them in this listener's map. */
    private LoopGroup group;
    private final Map<SocketMap, ByteBuffer> buffers = new ConcurrentHashMap<>();

    /**
     * Listens on {@code address} in {@code map}: as the documentation's server does (create, bind,
     * listen) or, with {@code reusePort}, on a listener of its own with {@code SO_REUSEPORT}, which
     * serves in its own map.
     */
    EchoListener(SocketMap map, InetSocketAddress address, boolean reusePort) throws IOException {
        super(reusePort ? ServerArgs.reusePortListener(address) : null, map);
        if (reusePort) {
            return;
        }
        createSocket();
        setReuseAddr();
        bind(address);
        listen(ServerArgs.BACKLOG);
    }

    @Override
    public final void handleAccepted(SocketChannel sock, SocketAddress addr) throws IOException {
        sock.setOption(StandardSocketOptions.TCP_NODELAY, true); // as every server here (Netty's default)
        if (group == null) { // one loop, or one listener per loop with SO_REUSEPORT
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
            factory.listen(map, address, false);
            ServerArgs.ready(name, address);
            Asyncore.loop(null, false, map);
            return;
        }
        LoopGroup group = new LoopGroup(loops);
        if (ServerArgs.reusePort(args)) {
            for (SocketMap map : group.loops()) {
                factory.listen(map, address, true); // before start(): set up from this thread
            }
        } else {
            factory.listen(group.loop(0), address, false).group = group; // before start(): set up from this thread
        }
        group.start();
        ServerArgs.ready(name, address);
        ServerArgs.awaitForever(group);
    }
}
