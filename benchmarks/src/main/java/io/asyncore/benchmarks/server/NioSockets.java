package io.asyncore.benchmarks.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The socket handling the hand-written NIO servers share ({@link RawNioEchoServer} and
 * {@link RawNioTlsEchoServer}): the listener, the selector loop, accepting a burst of connections,
 * and closing one. Nothing here runs per read or write.
 */
final class NioSockets {
    /** Connections accepted per accept event at most: each event drains the backlog up to this. */
    private static final int ACCEPTS_PER_EVENT = 64;

    private NioSockets() {
    }

    /**
     * A non-blocking listener on {@code address} with {@link ServerArgs#BACKLOG} and
     * {@code SO_REUSEADDR}, registered with {@code selector} for accepts.
     */
    static ServerSocketChannel listen(Selector selector, InetSocketAddress address) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        listener.bind(address, ServerArgs.BACKLOG);
        listener.configureBlocking(false);
        listener.register(selector, SelectionKey.OP_ACCEPT);
        return listener;
    }

    /**
     * Accepts the pending connections (up to {@value #ACCEPTS_PER_EVENT}), each non-blocking with
     * {@code TCP_NODELAY} (as every server here sets it, Netty's default), registered with
     * {@code selector} for reads with the attachment {@code attach} makes for it.
     */
    static void acceptAll(ServerSocketChannel listener, Selector selector, Function<SocketChannel, Object> attach) throws IOException {
        for (int i = 0; i < ACCEPTS_PER_EVENT; i++) {
            SocketChannel ch = listener.accept();
            if (ch == null) {
                return;
            }
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.register(selector, SelectionKey.OP_READ, attach.apply(ch));
        }
    }

    /** Runs the selector loop on this thread, handing each ready key to {@code ready}, until the process ends. */
    static void loop(Selector selector, Consumer<SelectionKey> ready) throws IOException {
        while (true) {
            selector.select(ready);
        }
    }

    /** Closes the connection of {@code key}; a peer that is gone already is nothing to report in a benchmark server. */
    static void close(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // the peer is gone already
        }
    }
}
