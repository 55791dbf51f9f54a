package io.asyncore.samples.starttls;

import io.asyncore.SocketMap;
import io.asyncore.Tls;
import io.asyncore.chat.AsyncChat;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.BiConsumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;

/**
 * The server's side of one STARTTLS conversation (see the {@linkplain io.asyncore.samples.starttls
 * package} for the protocol): an {@link AsyncChat} that answers lines, and on {@code STARTTLS}
 * pushes {@code 220 go ahead} and calls {@link #startTls}. The reply was pushed first, so it goes
 * out in plaintext; a command the client sent behind {@code STARTTLS} in the same packet (the
 * injection of CVE-2011-0411) is never answered: {@code startTls} refuses it and the connection
 * fails.
 *
 * <p>Threading: for the thread that runs {@code map}.
 */
final class StartTlsSession extends AsyncChat {
    private final SocketAddress peer;
    private final SSLContext context;
    private final BiConsumer<SocketAddress, Throwable> onFailed;

    StartTlsSession(SocketChannel sock, SocketAddress peer, SocketMap map, SSLContext context,
            BiConsumer<SocketAddress, Throwable> onFailed) throws IOException {
        super(sock, map);
        this.peer = peer;
        this.context = context;
        this.onFailed = onFailed;
        setTerminator(StartTlsProtocol.CRLF);
        setMaxIncomingSize(StartTlsProtocol.MAX_LINE);
        reply("220 asyncore STARTTLS sample ready");
    }

    @Override
    public void foundTerminator() throws IOException {
        String line = new String(takeIncomingData(), StandardCharsets.US_ASCII);
        int space = line.indexOf(' ');
        String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
        String argument = space < 0 ? "" : line.substring(space + 1);
        SSLSession tls = tlsSession();
        switch (verb) {
            case "HELLO" -> reply("250 hello " + argument + ", over " + (tls == null ? "plaintext" : tls.getProtocol()));
            case StartTlsProtocol.STARTTLS -> {
                if (isTls()) {
                    reply("503 TLS is already on");
                } else {
                    reply(StartTlsProtocol.GO_AHEAD); // queued first: it goes out in plaintext
                    startTls(Tls.serverEngine(context));
                }
            }
            case "SECRET" -> reply(tls == null ? "530 STARTTLS first: the secret is only told over TLS"
                    : "250 the secret is 42 (" + tls.getCipherSuite() + ")");
            case "QUIT" -> {
                reply("221 bye");
                closeWhenDone();
            }
            default -> reply("500 unknown command; try HELLO, STARTTLS, SECRET or QUIT");
        }
    }

    private void reply(String line) throws IOException {
        push((line + StartTlsProtocol.CRLF).getBytes(StandardCharsets.US_ASCII));
    }

    /** Any failure (TLS, plaintext behind STARTTLS, a line too long) ends this conversation only. */
    @Override
    public void handleError(Throwable error) {
        close();
        onFailed.accept(peer, error);
    }
}
