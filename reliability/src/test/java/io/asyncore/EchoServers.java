package io.asyncore;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** The documentation's echo server with a backlog sized for load. */
final class EchoServers {
    private EchoServers() {
    }

    static final class EchoHandler extends DispatcherWithSend {
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

        @Override
        public void handleClose() {
            close();
        }
    }

    static final class EchoServer extends Dispatcher {
        EchoServer(SocketMap map) throws IOException {
            super(map);
            createSocket();
            setReuseAddr();
            bind(new InetSocketAddress("127.0.0.1", 0));
            listen(4096);
        }

        SocketAddress address() throws IOException {
            return ((ServerSocketChannel) socket()).getLocalAddress();
        }

        @Override
        public void handleAccepted(SocketChannel sock, SocketAddress addr) {
            new EchoHandler(sock, map());
        }
    }
}
