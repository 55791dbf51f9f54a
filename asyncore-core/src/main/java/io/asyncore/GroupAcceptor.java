package io.asyncore;

import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The listener {@link LoopGroup#listen} makes: each accepted connection goes to
 * {@link LoopGroup#serve}, on the chooser's loop or, for a per-loop listener, on its own.
 */
final class GroupAcceptor extends Dispatcher {
    private final LoopGroup group;
    private final HandlerFactory factory;
    private final boolean ownLoop;

    GroupAcceptor(ServerSocketChannel listener, SocketMap map, LoopGroup group, HandlerFactory factory, boolean ownLoop) {
        super(listener, map);
        this.group = group;
        this.factory = factory;
        this.ownLoop = ownLoop;
    }

    @Override
    public void handleAccepted(SocketChannel sock, SocketAddress addr) {
        if (!group.isRunning()) {
            // Accepted between the start of a stop and this loop's closing of its listeners.
            GroupLoop.closeQuietly(sock);
            close();
        } else if (ownLoop) {
            group.serve(sock, map(), factory);
        } else {
            group.serve(sock, factory);
        }
    }

    @Override
    public String toString() {
        return "GroupAcceptor[" + addr() + (ownLoop ? ", serving its own loop" : ", handing off") + "]";
    }
}
