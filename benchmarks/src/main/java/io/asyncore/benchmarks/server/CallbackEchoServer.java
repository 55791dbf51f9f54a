package io.asyncore.benchmarks.server;

import io.asyncore.Asyncore;
import io.asyncore.DispatcherWithSend;
import io.asyncore.SocketMap;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The asyncore callback echo server: Python's documented {@code EchoHandler}/{@code EchoServer}
 * pair on {@link DispatcherWithSend}, written against the core's public API only, driven by one
 * thread in {@link Asyncore#loop}.
 *
 * <p>Two changes to the documentation's version, both plain public API: the handlers read into
 * one 64 KiB buffer that the server shares among them (they all run on the loop thread) with
 * {@code recv(ByteBuffer)} and pass it to {@code send(ByteBuffer)}, which copies only what the
 * kernel does not take, instead of allocating a {@code byte[]} per read with {@code recv(8192)};
 * and a connection stops reading while echoed bytes wait to be sent, so a peer that writes faster
 * than it reads cannot grow the server's memory (every server in the comparison does the same).
 */
public final class CallbackEchoServer extends EchoListener {
    private static final String NAME = "CallbackEchoServer";

    CallbackEchoServer(SocketMap map, InetSocketAddress address, boolean reusePort) throws IOException {
        super(map, address, reusePort);
    }

    @Override
    void serve(SocketChannel sock, SocketMap map) {
        new EchoHandler(sock, map, readBuffer(map));
    }

    /**
     * Echoes what it reads; reads only while nothing waits to be sent ({@link BackPressuredHandler}).
     * The TLS server's handler ({@link TlsCallbackEchoServer}) is this one.
     */
    static class EchoHandler extends BackPressuredHandler {
        private final ByteBuffer shared;

        EchoHandler(SocketChannel sock, SocketMap map, ByteBuffer shared) {
            super(sock, map);
            this.shared = shared;
        }

        @Override
        public void handleRead() throws IOException {
            shared.clear();
            if (recv(shared) > 0) {
                send(shared.flip());
            }
        }
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        run(args, NAME, CallbackEchoServer::new);
    }
}
