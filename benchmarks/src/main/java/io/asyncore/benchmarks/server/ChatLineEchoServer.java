package io.asyncore.benchmarks.server;

import io.asyncore.SocketMap;
import io.asyncore.chat.AsyncChat;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * The asyncore {@link AsyncChat} line echo server: each line (terminator {@code "\n"}) is pushed
 * back with its terminator, one {@code push} per line, on one loop thread. Written against the
 * public API only.
 *
 * <p>Unlike Python's {@code async_chat} it stops reading while pushed output waits to be sent,
 * the back-pressure every server in the comparison has: {@code readable()} is the opposite of
 * {@code writable()} once connected, and AsyncChat announces every change of {@code writable()}.
 */
public final class ChatLineEchoServer extends EchoListener {
    private static final String NAME = "ChatLineEchoServer";

    ChatLineEchoServer(SocketMap map, InetSocketAddress address, boolean reusePort) throws IOException {
        super(map, address, reusePort);
    }

    @Override
    void serve(SocketChannel sock, SocketMap map) {
        new LineEcho(sock, map);
    }

    /** Echoes each line, terminator included. */
    static final class LineEcho extends AsyncChat {
        LineEcho(SocketChannel sock, SocketMap map) {
            super(sock, map);
            setTerminator("\n");
        }

        @Override
        protected boolean announcesInterest() {
            return true; // readable() follows writable(), whose changes AsyncChat announces
        }

        @Override
        public boolean readable() {
            return !isConnected() || !writable();
        }

        @Override
        public void foundTerminator() throws IOException {
            byte[] line = takeIncomingData();
            byte[] reply = Arrays.copyOf(line, line.length + 1);
            reply[line.length] = '\n';
            push(reply);
        }
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        run(args, NAME, ChatLineEchoServer::new);
    }
}
