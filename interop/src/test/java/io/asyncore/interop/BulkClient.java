package io.asyncore.interop;

import io.asyncore.DispatcherWithSend;
import io.asyncore.SocketMap;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;

/** Our callback-style TLS client for bulk bytes: a {@link DispatcherWithSend} that queues what it sends and collects what comes back. */
final class BulkClient extends DispatcherWithSend {
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    String protocol;
    boolean ended;
    Throwable error;

    /** Connects to {@code address} and starts TLS with {@code engine} before the connect completes. */
    BulkClient(SocketMap map, InetSocketAddress address, SSLEngine engine) throws IOException {
        super(map);
        setWaterMarks(0, Integer.MAX_VALUE); // it queues a whole upload and reads the echo meanwhile
        createSocket();
        connect(address);
        startTls(engine);
    }

    @Override
    public void handleConnect() {
    }

    @Override
    public void handleTlsHandshake() {
        protocol = tlsSession().getProtocol();
    }

    @Override
    public void handleRead() throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        int n = recv(buf);
        if (n > 0) {
            received.write(buf.array(), 0, n);
        }
    }

    /** The peer's close_notify: a clean end. */
    @Override
    public void handleClose() {
        ended = true;
        close();
    }

    @Override
    public void handleError(Throwable t) {
        error = t;
        close();
    }
}
