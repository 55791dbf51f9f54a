package io.asyncore;

import io.asyncore.testing.RunLoop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.chat.AsyncChat;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** STARTTLS with AsyncChat: a line protocol that upgrades on a STARTTLS line, as SMTP does. */
@Timeout(30)
class StartTlsTest {
    private final SocketMap map = new SocketMap();
    private final List<String> commands = new ArrayList<>();
    private final List<Throwable> serverErrors = new ArrayList<>();
    private LineServer server;

    @AfterEach
    void tearDown() {
        map.close();
    }

    @Test
    void aStartTlsLineUpgradesTheConversationAndTheReplyBeforeItStaysPlaintext() throws IOException {
        InetSocketAddress address = listen();
        LineClient client = new LineClient(address, TlsTest.clientTrusting("ca"));
        RunLoop.until(map, false, () -> client.replies.size() == 2 || client.error != null);
        assertNull(client.error, () -> "client failed: " + client.error);
        assertEquals(List.of("220 go ahead", "250 HELLO over TLSv1.3"), client.replies);
        assertEquals(List.of("STARTTLS", "HELLO"), commands);
        assertTrue(serverErrors.isEmpty(), () -> "server failed: " + serverErrors);
    }

    @Test
    void plaintextSentBehindTheStartTlsLineFailsTheConnectionAndIsNeverACommand() throws IOException {
        InetSocketAddress address = listen();
        try (SocketChannel attacker = SocketChannel.open(address)) {
            // One packet: the command and an injected one behind it (CVE-2011-0411).
            attacker.write(ByteBuffer.wrap("STARTTLS\r\nINJECTED\r\n".getBytes(StandardCharsets.US_ASCII)));
            RunLoop.until(map, false, () -> !serverErrors.isEmpty());
            Throwable e = serverErrors.get(0);
            assertInstanceOf(SSLException.class, e);
            assertTrue(e.getMessage().contains("plaintext arrived after the command that started TLS"), e.getMessage());
            assertEquals(List.of("STARTTLS"), commands, "the injected line never reached the handler");
            // The connection is closed: the attacker reads to the end of the stream.
            ByteBuffer sink = ByteBuffer.allocate(256);
            attacker.configureBlocking(true);
            int n;
            do {
                n = attacker.read(sink.clear());
            } while (n >= 0);
            assertEquals(-1, n);
        }
    }

    private InetSocketAddress listen() throws IOException {
        SSLContext context = TlsTest.serverContext("server");
        Dispatcher listener = new Dispatcher(map) {
            @Override
            public void handleAccepted(SocketChannel sock, SocketAddress addr) {
                server = new LineServer(sock, context);
            }
        };
        listener.createSocket();
        listener.bind(new InetSocketAddress("127.0.0.1", 0));
        listener.listen();
        return (InetSocketAddress) ((ServerSocketChannel) listener.socket()).getLocalAddress();
    }

    /** Answers lines; a STARTTLS line gets "220 go ahead" in plaintext, then TLS. */
    private final class LineServer extends AsyncChat {
        private final SSLContext context;
        private final StringBuilder line = new StringBuilder();

        LineServer(SocketChannel sock, SSLContext context) {
            super(sock, map);
            this.context = context;
            setTerminator("\r\n");
        }

        @Override
        public void collectIncomingData(byte[] data) {
            line.append(new String(data, StandardCharsets.US_ASCII));
        }

        @Override
        public void foundTerminator() throws IOException {
            String command = line.toString();
            line.setLength(0);
            commands.add(command);
            if (command.equals("STARTTLS")) {
                push("220 go ahead\r\n".getBytes(StandardCharsets.US_ASCII));
                startTls(Tls.serverEngine(context));
            } else {
                push(("250 " + command + " over " + tlsSession().getProtocol() + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
        }

        @Override
        public void handleError(Throwable t) {
            serverErrors.add(t);
            close();
        }
    }

    /** Sends STARTTLS, upgrades on the 220 reply, then says HELLO over TLS. */
    private final class LineClient extends AsyncChat {
        final List<String> replies = new ArrayList<>();
        private final StringBuilder line = new StringBuilder();
        private final SSLContext trust;
        private final int port;
        Throwable error;

        LineClient(InetSocketAddress address, SSLContext trust) throws IOException {
            super(map);
            this.trust = trust;
            this.port = address.getPort();
            setTerminator("\r\n");
            createSocket();
            connect(address);
            push("STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public void handleConnect() {
        }

        @Override
        public void collectIncomingData(byte[] data) {
            line.append(new String(data, StandardCharsets.US_ASCII));
        }

        @Override
        public void foundTerminator() throws IOException {
            String reply = line.toString();
            line.setLength(0);
            replies.add(reply);
            if (reply.startsWith("220")) {
                startTls(Tls.clientEngine(trust, "127.0.0.1", port));
                push("HELLO\r\n".getBytes(StandardCharsets.US_ASCII)); // queued until the handshake is done
            }
        }

        @Override
        public void handleError(Throwable t) {
            error = t;
            close();
        }
    }
}
