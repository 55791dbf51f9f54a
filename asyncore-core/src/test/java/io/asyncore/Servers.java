package io.asyncore;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Function;

/** Test dispatchers in the spirit of CPython's test_asyncore: unexpected handler calls fail the test. */
final class Servers {
    private Servers() {
    }

    /** A dispatcher that fails the test on any handler it does not expect; errors propagate out of the loop. */
    static class Strict extends Dispatcher {
        volatile boolean flag;

        Strict(SocketMap map) {
            super(map);
        }

        Strict(NetworkChannel sock, SocketMap map) {
            super(sock, map);
        }

        @Override
        public void handleAccept() throws IOException {
            throw new AssertionError("handleAccept not expected");
        }

        @Override
        public void handleAccepted(SocketChannel sock, SocketAddress addr) throws IOException {
            throw new AssertionError("handleAccepted not expected");
        }

        @Override
        public void handleConnect() throws IOException {
            throw new AssertionError("handleConnect not expected");
        }

        @Override
        public void handleExpt() throws IOException {
            throw new AssertionError("handleExpt not expected");
        }

        @Override
        public void handleClose() {
            throw new AssertionError("handleClose not expected on " + this);
        }

        @Override
        public void handleError(Throwable error) {
            throw new AssertionError("handler failed on " + this, error);
        }
    }

    /** Listens on a fresh address of the transport and wraps each connection with {@code handler}. */
    static class Server extends Dispatcher {
        private final Function<SocketChannel, Dispatcher> handler;

        Server(Transport t, SocketMap map, Function<SocketChannel, Dispatcher> handler) throws IOException {
            super(map);
            this.handler = handler;
            createSocket(t.family());
            setReuseAddr();
            bind(t.bindAddress());
            listen(5);
        }

        SocketAddress address() throws IOException {
            return ((NetworkChannel) socket()).getLocalAddress();
        }

        @Override
        public void handleAccepted(SocketChannel sock, SocketAddress addr) throws IOException {
            handler.apply(sock);
        }

        @Override
        public void handleError(Throwable error) {
            throw new AssertionError("server failed", error);
        }
    }

    /** A dispatcher that keeps a loop running without ever being ready: it wants no events. */
    static Dispatcher idle(SocketMap map) throws IOException {
        Dispatcher d = new Dispatcher(map) {
            @Override
            public boolean readable() {
                return false;
            }

            @Override
            public boolean writable() {
                return false;
            }
        };
        d.createSocket();
        return d;
    }

    /** A dispatcher that wants nothing: it holds its connection open and idle. */
    static class Idle extends Dispatcher {
        Idle(SocketChannel sock, SocketMap map) {
            super(sock, map);
        }

        @Override
        public boolean readable() {
            return false;
        }

        @Override
        public boolean writable() {
            return false;
        }
    }

    /** Reads and discards whatever arrives, never wants to write, and closes when the peer does. */
    static class Sink extends Dispatcher {
        Sink(SocketChannel sock, SocketMap map) {
            super(sock, map);
        }

        @Override
        public boolean writable() {
            return false;
        }

        @Override
        public void handleRead() throws IOException {
            recv(65536);
        }

        @Override
        public void handleClose() {
            close();
        }
    }

    /** A strict client that connects at once and accepts the connect event. */
    static class Client extends Strict {
        Client(Transport t, SocketMap map, SocketAddress address) throws IOException {
            super(map);
            createSocket(t.family());
            connect(address);
        }

        @Override
        public void handleConnect() {
        }
    }
}
