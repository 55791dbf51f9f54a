package io.asyncore.benchmarks.server;

import io.asyncore.DispatcherWithSend;
import io.asyncore.SocketMap;
import java.nio.channels.SocketChannel;

/**
 * The rules the {@link DispatcherWithSend} echo handlers here share, so that each of them writes
 * only its {@code handleRead()}: a connection reads only while nothing waits to be sent (the
 * back-pressure every server in the comparison has, so a peer that writes faster than it reads
 * cannot grow the server's memory), and closes at once at end of stream.
 *
 * <p>It adds no call and no field to a connection: the loop asks these methods as it asked the
 * handlers' own copies of them before.
 */
abstract class BackPressuredHandler extends DispatcherWithSend {
    BackPressuredHandler(SocketChannel sock, SocketMap map) {
        super(sock, map);
    }

    @Override
    protected final boolean announcesInterest() {
        return true; // readable() changes only when DispatcherWithSend announces a change of pendingBytes()
    }

    @Override
    public final boolean readable() {
        return pendingBytes() == 0;
    }

    @Override
    public final void handleClose() {
        close();
    }
}
