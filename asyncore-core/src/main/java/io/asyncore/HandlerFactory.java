package io.asyncore;

import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * Makes the handler of an accepted connection on the loop that will serve it: what
 * {@link LoopGroup#serve(SocketChannel, HandlerFactory)} runs on the chosen loop's thread.
 *
 * <pre>{@code
 * group.serve(sock, (channel, map) -> new EchoHandler(channel, map));
 * }</pre>
 *
 * <p>It runs on {@code map}'s loop thread, so the handler it makes joins {@code map} and is
 * confined to that thread for its life, as every dispatcher is. If it throws, the group closes
 * {@code channel} and logs the error; the loop and the listener go on.
 */
@FunctionalInterface
public interface HandlerFactory {
    /**
     * Makes the handler for {@code channel} in {@code map}, typically {@code new MyHandler(channel, map)}.
     *
     * @param channel the accepted connection, still in blocking mode (a {@link Dispatcher} constructor switches it)
     * @param map the map of the loop that serves it; the handler must join this map
     */
    void create(SocketChannel channel, SocketMap map) throws IOException;
}
