package io.asyncore.benchmarks.server;

import io.asyncore.SocketMap;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;

/**
 * The echo server exactly as the README's quick start (and Python's documentation) writes it:
 * {@code byte[] data = recv(8192); if (data.length > 0) send(data);}. It shows what the idiom
 * costs next to {@link CallbackEchoServer}, which reads into one shared buffer instead: a
 * {@code byte[]} allocated per read, and at most 8 KiB per read event.
 *
 * <p>Like every server here it sets {@code TCP_NODELAY} and stops reading while echoed bytes wait
 * to be sent.
 */
public final class DocumentedEchoServer extends EchoListener {
    private static final String NAME = "DocumentedEchoServer";

    DocumentedEchoServer(SocketMap map, InetSocketAddress address, boolean reusePort) throws IOException {
        super(map, address, reusePort);
    }

    @Override
    void serve(SocketChannel sock, SocketMap map) {
        new EchoHandler(sock, map);
    }

    /** The documentation's handler, on the back-pressure every server here has ({@link BackPressuredHandler}). */
    static final class EchoHandler extends BackPressuredHandler {
        EchoHandler(SocketChannel sock, SocketMap map) {
            super(sock, map);
        }

        @Override
        public void handleRead() throws IOException {
            byte[] data = recv(8192);
            if (data.length > 0) {
                send(data);
            }
        }
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        run(args, NAME, DocumentedEchoServer::new);
    }
}
