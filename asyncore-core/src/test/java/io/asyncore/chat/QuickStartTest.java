package io.asyncore.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.asyncore.testing.RunLoop;
import io.asyncore.Dispatcher;
import io.asyncore.SocketMap;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's asynchat quick start (with an explicit map instead of the global one), exercised. */
@Timeout(30)
class QuickStartTest {
    static class LineHandler extends AsyncChat {
        LineHandler(SocketChannel sock, SocketMap map) {
            super(sock, map);
            setTerminator("\r\n");
        }

        @Override
        public void foundTerminator() throws IOException {
            String line = new String(takeIncomingData(), StandardCharsets.ISO_8859_1);
            if (line.equals("QUIT")) {
                push("bye\r\n");
                closeWhenDone();
            } else {
                push(line.toUpperCase() + "\r\n");
            }
        }
    }

    static class LineServer extends Dispatcher {
        LineServer(String host, int port, SocketMap map) throws IOException {
            super(map);
            createSocket();
            setReuseAddr();
            bind(new InetSocketAddress(host, port));
            listen(5);
        }

        @Override
        public void handleAccepted(SocketChannel sock, SocketAddress addr) {
            new LineHandler(sock, map());
        }
    }

    @Test
    void lineServerAnswersEachLineAndClosesAfterQuit() throws Exception {
        try (SocketMap map = new SocketMap()) {
            LineServer server = new LineServer("127.0.0.1", 0, map);
            int port = ((InetSocketAddress) ((ServerSocketChannel) server.socket()).getLocalAddress()).getPort();
            CompletableFuture<String> client = CompletableFuture.supplyAsync(() -> {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setSoTimeout(20_000);
                    s.getOutputStream().write("hello\r\nwor".getBytes(StandardCharsets.ISO_8859_1));
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                    String first = in.readLine();
                    s.getOutputStream().write("ld\r\nQUIT\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    return first + "|" + in.readLine() + "|" + in.readLine() + "|" + in.read();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            RunLoop.until(map, false, client::isDone, Duration.ofSeconds(20));
            assertEquals("HELLO|WORLD|bye|-1", client.get(1, TimeUnit.SECONDS));
        }
    }
}
