package io.asyncore.samples.echo;

import io.asyncore.Asyncore;
import io.asyncore.Dispatcher;
import io.asyncore.LoopGroup;
import io.asyncore.SocketMap;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The echo server on a {@link LoopGroup}: one listener hands each connection to a loop of the
 * group, where an {@link EchoHandler} serves it for its whole life.
 *
 * <pre>{@code
 * GroupEchoServer server = new GroupEchoServer(new InetSocketAddress("127.0.0.1", 8007), 0, 2, addr -> { });
 * // ... later
 * server.close();
 * }</pre>
 *
 * <p>Threading: {@code onAccepted} is called on the loop serving the connection, so from several
 * threads at once. The handlers of one loop share that loop's read buffer, as {@link EchoServer}'s
 * handlers share one: they run on its thread one at a time.
 */
public final class GroupEchoServer implements AutoCloseable {
    private final LoopGroup group;
    private final Dispatcher listener;

    /**
     * Starts {@code loops} loops and listens on {@code address} (port 0 picks a free port; see {@link #port()}).
     *
     * @param backlog the listen backlog; 0 means the system's, {@link Asyncore#defaultBacklog()}
     * @param onAccepted told each new peer's address, on the loop that serves it
     * @throws java.net.BindException if the address is in use or needs privileges
     * @throws IllegalArgumentException if {@code backlog} is negative or {@code loops} below 1
     */
    public GroupEchoServer(SocketAddress address, int backlog, int loops, Consumer<SocketAddress> onAccepted) throws IOException {
        if (backlog < 0) {
            throw new IllegalArgumentException("backlog < 0: " + backlog + " (0 means the system's, " + Asyncore.defaultBacklog() + ")");
        }
        group = new LoopGroup(loops);
        Map<SocketMap, ByteBuffer> buffers = new HashMap<>();
        for (SocketMap map : group.loops()) {
            buffers.put(map, ByteBuffer.allocateDirect(EchoHandler.READ_SIZE));
        }
        Map<SocketMap, ByteBuffer> perLoop = Map.copyOf(buffers);
        try {
            listener = group.listen(address, backlog, (channel, map) -> {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true); // as EchoServer does
                onAccepted.accept(channel.getRemoteAddress());
                new EchoHandler(channel, map, perLoop.get(map));
            });
        } catch (IOException | RuntimeException e) {
            group.close();
            throw e;
        }
        group.start();
    }

    /** The port actually listened on. */
    public int port() {
        return ((InetSocketAddress) listener.addr()).getPort();
    }

    /** The group serving the connections. */
    public LoopGroup group() {
        return group;
    }

    /** Stops the group: the listener closes, connections get {@link LoopGroup#DEFAULT_GRACE} to finish. */
    @Override
    public void close() {
        group.close();
    }
}
