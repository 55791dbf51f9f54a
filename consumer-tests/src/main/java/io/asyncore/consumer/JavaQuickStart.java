package io.asyncore.consumer;

import io.asyncore.Asyncore;
import io.asyncore.Dispatcher;
import io.asyncore.DispatcherWithSend;
import io.asyncore.SocketMap;
import io.asyncore.chat.AsyncChat;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The README's Java quick start (an echo server, and an asynchat line client talking to it),
 * run as a user's program on the module path. Exits with 0 and prints one line when the echo
 * came back; any failure is an exception (exit code 1).
 */
public final class JavaQuickStart {
    private JavaQuickStart() {
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
    }

    static final class EchoServer extends Dispatcher {
        EchoServer(SocketMap map) throws IOException {
            super(map);
            createSocket();
            setReuseAddr();
            bind(new InetSocketAddress("127.0.0.1", 0));
            listen(5);
        }

        @Override
        public void handleAccepted(SocketChannel sock, SocketAddress addr) {
            new EchoHandler(sock, map());
        }
    }

    /** Sends one line, keeps the echoed line, then closes. */
    static final class LineClient extends AsyncChat {
        String reply;
        Throwable failure;

        LineClient(SocketAddress server, SocketMap map) throws IOException {
            super(map);
            createSocket();
            connect(server);
            setTerminator("\n");
            push("hello from the module path\n");
        }

        @Override
        public void foundTerminator() {
            reply = new String(takeIncomingData(), StandardCharsets.UTF_8);
            close();
        }

        @Override
        public void handleError(Throwable error) {
            failure = error;
            close();
        }
    }

    /**
     * Runs the quick start.
     *
     * @param args ignored
     * @throws Exception when the echo does not come back
     */
    public static void main(String[] args) throws Exception {
        ModuleCheck.requireNamed(SocketMap.class, "io.asyncore");
        ModuleCheck.requireNotExported("io.asyncore.internal.InterestAnnounced");
        try (SocketMap map = new SocketMap()) {
            EchoServer server = new EchoServer(map);
            SocketAddress listening = ((java.nio.channels.ServerSocketChannel) server.socket()).getLocalAddress();
            LineClient client = new LineClient(listening, map);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (client.reply == null) {
                if (client.failure != null) {
                    throw new IllegalStateException("the client failed talking to " + listening, client.failure);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no echo within 20 s from " + listening);
                }
                Asyncore.loop(Duration.ofMillis(100), false, map, 1);
            }
            if (!client.reply.equals("hello from the module path")) {
                throw new IllegalStateException("echo differs: '" + client.reply + "'");
            }
            System.out.println("java quick start on the module path: echoed '" + client.reply + "'");
        }
    }
}
