package io.asyncore.interop;

import io.asyncore.Dispatcher;
import io.asyncore.DispatcherWithSend;
import io.asyncore.SocketMap;
import io.asyncore.Tls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * Our callback-style TLS echo server on 127.0.0.1: each accepted connection starts TLS at once and
 * echoes every byte; at the peer's close_notify it sends what is left, then closes (with its own
 * close_notify).
 */
final class EchoServer extends Dispatcher {
    final List<String> protocols = new ArrayList<>();
    final List<Throwable> errors = new ArrayList<>();
    int cleanEnds;
    private final SocketMap map;
    private final SSLContext context;

    EchoServer(SocketMap map, SSLContext context) throws IOException {
        super(map);
        this.map = map;
        this.context = context;
        createSocket();
        bind(new InetSocketAddress("127.0.0.1", 0));
        listen();
    }

    int port() throws IOException {
        return ((InetSocketAddress) ((ServerSocketChannel) socket()).getLocalAddress()).getPort();
    }

    @Override
    public void handleAccepted(SocketChannel sock, SocketAddress addr) throws IOException {
        SSLEngine engine = Tls.serverEngine(context);
        new Connection(sock).startTls(engine);
    }

    private final class Connection extends DispatcherWithSend {
        Connection(SocketChannel sock) {
            super(sock, map);
        }

        @Override
        public void handleTlsHandshake() {
            protocols.add(tlsSession().getProtocol());
        }

        @Override
        public void handleRead() throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(32 * 1024);
            if (recv(buf) > 0) {
                send(buf.flip());
            }
        }

        @Override
        public void handleClose() {
            cleanEnds++;
            closeWhenDone();
        }

        @Override
        public void handleError(Throwable error) {
            errors.add(error);
            close();
        }
    }
}
