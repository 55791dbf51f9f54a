package io.asyncore.testing;

import io.asyncore.DispatcherWithSend;
import io.asyncore.SocketMap;
import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * The asyncore documentation's echo handler, line by line: sends back what it reads, and closes
 * when the peer does. Tests that need more (a counter, another close) extend it.
 */
public class EchoHandler extends DispatcherWithSend {
    /** The most one {@link #handleRead()} reads, as in the documentation. */
    public static final int READ_SIZE = 8192;

    /** Serves {@code sock}, an accepted connection, in {@code map}. */
    public EchoHandler(SocketChannel sock, SocketMap map) {
        super(sock, map);
    }

    @Override
    public void handleRead() throws IOException {
        byte[] data = recv(READ_SIZE);
        if (data.length > 0) {
            send(data);
        }
    }

    @Override
    public void handleClose() {
        close();
    }
}
