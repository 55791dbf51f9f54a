package io.asyncore.samples;

import io.asyncore.DispatcherWithSend;
import io.asyncore.SocketMap;
import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * One echo connection, as in the documentation: whatever arrives is sent back.
 *
 * <p>Threading: for the thread that runs {@code map}.
 */
public class EchoHandler extends DispatcherWithSend {
    /** Serves the accepted {@code sock} in {@code map}. */
    public EchoHandler(SocketChannel sock, SocketMap map) {
        super(sock, map);
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
