package io.asyncore.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.Asyncore;
import io.asyncore.Dispatcher;
import io.asyncore.ExitNow;
import io.asyncore.SocketMap;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A minimal SMTP-style line server on AsyncChat (greeting, HELO, MAIL FROM, DATA ending with
 * {@code <CRLF>.<CRLF>}, QUIT with closeWhenDone), served on a loop thread to several blocking
 * clients at once.
 */
@Timeout(60)
class SmtpStyleServerTest {
    private static final int CLIENTS = 6;

    /** One SMTP-style session: CRLF-terminated commands, then a DATA block up to CRLF.CRLF. */
    static final class Session extends AsyncChat {
        private final ConcurrentLinkedQueue<String> delivered;
        private String helo = "?";
        private String from = "?";
        private boolean inData;

        Session(SocketChannel sock, SocketMap map, ConcurrentLinkedQueue<String> delivered) throws IOException {
            super(sock, map);
            this.delivered = delivered;
            setTerminator("\r\n");
            push("220 ready\r\n");
        }

        @Override
        public void foundTerminator() throws IOException {
            String line = new String(takeIncomingData(), StandardCharsets.ISO_8859_1);
            if (inData) {
                delivered.add(helo + "|" + from + "|" + line);
                inData = false;
                setTerminator("\r\n");
                push("250 queued " + line.length() + " bytes\r\n");
                return;
            }
            String verb = line.split(" ", 2)[0].toUpperCase();
            switch (verb) {
                case "HELO" -> {
                    helo = line.substring(5);
                    push("250 hello " + helo + "\r\n");
                }
                case "MAIL" -> {
                    from = line.substring(line.indexOf(':') + 1);
                    push("250 ok\r\n");
                }
                case "DATA" -> {
                    inData = true;
                    setTerminator("\r\n.\r\n");
                    push("354 end data with <CR><LF>.<CR><LF>\r\n");
                }
                case "QUIT" -> {
                    push("221 bye\r\n");
                    closeWhenDone();
                }
                default -> push("500 unknown command '" + verb + "'\r\n");
            }
        }
    }

    static final class Server extends Dispatcher {
        final ConcurrentLinkedQueue<String> delivered = new ConcurrentLinkedQueue<>();

        Server(SocketMap map) throws IOException {
            super(map);
            createSocket();
            setReuseAddr();
            bind(new InetSocketAddress("127.0.0.1", 0));
            listen(CLIENTS);
        }

        int port() throws IOException {
            return ((InetSocketAddress) ((ServerSocketChannel) socket()).getLocalAddress()).getPort();
        }

        @Override
        public void handleAccepted(SocketChannel sock, SocketAddress addr) throws IOException {
            new Session(sock, map(), delivered);
        }
    }

    /** One client's dialogue; returns the server's replies. Client 0 pipelines everything in one write. */
    private static List<String> dialogue(int port, int id) throws IOException {
        List<String> replies = new ArrayList<>();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            String[] steps = {
                "HELO client" + id + "\r\n",
                "MAIL FROM:<c" + id + "@example.org>\r\n",
                "DATA\r\n",
                "line one of " + id + "\r\n.x\r\nline three\r\n.\r\n",
                "NOOP\r\n",
                "QUIT\r\n",
            };
            replies.add(in.readLine());
            if (id == 0) {
                out.write(String.join("", steps).getBytes(StandardCharsets.ISO_8859_1));
                for (int i = 0; i < steps.length; i++) {
                    replies.add(in.readLine());
                }
            } else {
                for (String step : steps) {
                    out.write(step.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    replies.add(in.readLine());
                }
            }
            replies.add(in.read() == -1 ? "EOF" : "more data after 221");
        }
        return replies;
    }

    @Test
    void severalClientsAtOnceCompleteTheDialogueAndQuitClosesAfterTheReply() throws Exception {
        SocketMap map = new SocketMap();
        Server server = new Server(map);
        int port = server.port();
        Thread loop = new Thread(() -> {
            try {
                Asyncore.loop(Duration.ofMillis(200), false, map);
            } catch (ExitNow stop) {
                // asked to stop
            }
        }, "smtp-loop");
        loop.start();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int id = i;
                results.add(clients.submit(() -> dialogue(port, id)));
            }
            for (int i = 0; i < CLIENTS; i++) {
                String data = "line one of " + i + "\r\n.x\r\nline three";
                assertEquals(List.of(
                        "220 ready",
                        "250 hello client" + i,
                        "250 ok",
                        "354 end data with <CR><LF>.<CR><LF>",
                        "250 queued " + data.length() + " bytes",
                        "500 unknown command 'NOOP'",
                        "221 bye",
                        "EOF"), results.get(i).get(30, TimeUnit.SECONDS), "client " + i);
            }
        } finally {
            clients.shutdownNow();
            map.execute(() -> {
                throw new ExitNow("test done");
            });
            loop.join(10_000);
        }
        assertTrue(!loop.isAlive(), "the loop thread stopped");
        Set<String> expected = new TreeSet<>();
        for (int i = 0; i < CLIENTS; i++) {
            expected.add("client" + i + "|<c" + i + "@example.org>|line one of " + i + "\r\n.x\r\nline three");
        }
        assertEquals(expected, new TreeSet<>(server.delivered));
        assertEquals(1, map.size(), "every session closed itself after QUIT; only the listener is left");
        map.close();
    }
}
