package io.asyncore.samples.time;

import io.asyncore.DispatcherWithSend;
import io.asyncore.SocketMap;
import java.io.IOException;
import java.nio.channels.SocketChannel;

/** One accepted time-protocol connection: sends the 4 bytes, then closes once they are out. */
final class TimeSender extends DispatcherWithSend {
    TimeSender(SocketChannel sock, SocketMap map, byte[] time) throws IOException {
        super(sock, map);
        send(time);
        closeIfSent();
    }

    @Override
    public void handleWrite() throws IOException {
        super.handleWrite();
        closeIfSent();
    }

    @Override
    public void handleRead() throws IOException {
        recv(512); // the protocol expects nothing from the client: discard it
    }

    @Override
    public void handleClose() {
        close();
    }

    private void closeIfSent() {
        if (pendingBytes() == 0 && !isClosed()) {
            close();
        }
    }
}
