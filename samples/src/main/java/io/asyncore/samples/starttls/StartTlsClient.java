package io.asyncore.samples.starttls;

import io.asyncore.Asyncore;
import io.asyncore.SocketMap;
import io.asyncore.Tls;
import io.asyncore.chat.AsyncChat;
import io.asyncore.samples.Failures;
import io.asyncore.samples.SampleException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;

/**
 * The STARTTLS sample's client, with {@link AsyncChat}: waits for the greeting, then sends its
 * commands one at a time, each after the reply to the one before. When the server answers
 * {@code STARTTLS} with {@code 220 go ahead}, it calls {@link #startTls} with a client engine of
 * {@code trust} (SNI, and the certificate must be valid for {@code host}) and sends the next command,
 * which waits for the handshake. A server that refuses {@code STARTTLS} fails the conversation: the
 * client never goes on in plaintext (the "STRIPTLS" downgrade).
 *
 * <pre>{@code
 * StartTlsClient client = new StartTlsClient("127.0.0.1", 2525, List.of("HELLO me", "STARTTLS", "SECRET", "QUIT"), trust, map);
 * List<String> transcript = Loops.runUntilDone(map, client.result(), Duration.ofSeconds(10), "STARTTLS").join();
 * }</pre>
 *
 * <p>{@link #result()} completes with the transcript: {@code C: } before each command sent,
 * {@code S: } before each reply, and one {@code == TLS ...} line when the handshake completes.
 * It completes with the last command's reply.
 *
 * <p>Threading: for the thread that runs {@code map}; {@link #result()} may be read from any thread.
 * Errors complete the result exceptionally with a one-line {@link SampleException}: a refused
 * connection, a TLS failure (an untrusted certificate...), a refused {@code STARTTLS}, or a server
 * that closes early.
 */
public class StartTlsClient extends AsyncChat {
    private final String host;
    private final int port;
    private final List<String> commands;
    private final SSLContext trust;
    private final List<String> transcript = new ArrayList<>();
    private final CompletableFuture<List<String>> result = new CompletableFuture<>();
    private int sent; // commands sent so far
    private boolean greeted;

    /**
     * Connects to {@code host:port} (a name, an IPv4 or an IPv6 address; resolved now) to send
     * {@code commands}.
     *
     * @param trust the client TLS context for {@code STARTTLS} (for example {@link Tls#trusting})
     * @throws java.net.UnknownHostException if {@code host} cannot be resolved
     */
    public StartTlsClient(String host, int port, List<String> commands, SSLContext trust, SocketMap map) throws IOException {
        super(map);
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.commands = List.copyOf(commands);
        this.trust = Objects.requireNonNull(trust, "trust");
        setTerminator(StartTlsProtocol.CRLF);
        setMaxIncomingSize(StartTlsProtocol.MAX_LINE);
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new UnknownHostException("cannot resolve host '" + host + "'");
        }
        createSocket(Asyncore.protocolFamily(address));
        try {
            connect(address);
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    /** The transcript, once the conversation is over. */
    public CompletableFuture<List<String>> result() {
        return result;
    }

    @Override
    public void handleConnect() {
        // the server speaks first
    }

    @Override
    public void foundTerminator() throws IOException {
        String reply = new String(takeIncomingData(), StandardCharsets.US_ASCII);
        transcript.add("S: " + reply);
        if (!greeted) {
            greeted = true;
        } else if (commands.get(sent - 1).toUpperCase(Locale.ROOT).equals(StartTlsProtocol.STARTTLS)) {
            if (!reply.equals(StartTlsProtocol.GO_AHEAD)) {
                fail(new SampleException("the server at " + where() + " refused STARTTLS (\"" + reply
                        + "\"): not going on in plaintext"));
                return;
            }
            startTls(Tls.clientEngine(trust, host, port)); // fails the conversation if plaintext followed the reply
        }
        if (sent == commands.size()) {
            finish();
            return;
        }
        String command = commands.get(sent++);
        transcript.add("C: " + command);
        push((command + StartTlsProtocol.CRLF).getBytes(StandardCharsets.US_ASCII)); // after the handshake, over TLS
    }

    @Override
    public void handleTlsHandshake() {
        SSLSession session = tlsSession();
        transcript.add("== TLS " + session.getProtocol() + " " + session.getCipherSuite() + " with " + host);
    }

    @Override
    public void handleClose() {
        fail(new SampleException("the server at " + where() + " closed the connection "
                + (greeted ? "after " + sent + " of " + commands.size() + " commands" : "before its greeting")));
    }

    @Override
    public void handleError(Throwable error) {
        fail(new SampleException(Failures.describe(error, addr())));
    }

    private String where() {
        return Failures.format(addr());
    }

    private void finish() {
        close();
        result.complete(List.copyOf(transcript));
    }

    private void fail(SampleException e) {
        close();
        result.completeExceptionally(e);
    }
}
