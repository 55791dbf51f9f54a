package io.asyncore.interop;

import io.asyncore.SocketMap;
import io.asyncore.Tls;
import io.asyncore.chat.AsyncChat;
import io.asyncore.chat.Terminator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * One HTTP/1.1 GET with {@code Connection: close} on an {@link AsyncChat}, over TLS for
 * {@code https} URLs: the head up to its blank line, then a {@code Content-Length} body or, without
 * one, the body up to the end of the stream. All connections go to 127.0.0.1; the URL's host is
 * what the certificate must match (and the SNI name).
 */
final class HttpGet extends AsyncChat {
    final URI uri;
    final Map<String, String> headers = new HashMap<>();
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    int status;
    String protocol;
    boolean complete;
    boolean ended;
    Throwable error;
    private boolean inBody;

    /**
     * Starts the request.
     *
     * @param protocol the one TLS version to offer, or {@code null} for the engine's defaults
     */
    HttpGet(SocketMap map, URI uri, SSLContext trust, String protocol) throws IOException {
        super(map);
        this.uri = uri;
        setTerminator("\r\n\r\n");
        createSocket();
        connect(new InetSocketAddress("127.0.0.1", uri.getPort()));
        if (uri.getScheme().equals("https")) {
            SSLEngine engine = Tls.clientEngine(trust, uri.getHost(), uri.getPort());
            if (protocol != null) {
                engine.setEnabledProtocols(new String[] {protocol});
            }
            startTls(engine);
        }
        push("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nUser-Agent: asyncore-interop\r\nConnection: close\r\n\r\n");
    }

    @Override
    public void handleConnect() {
    }

    @Override
    public void handleTlsHandshake() {
        protocol = tlsSession().getProtocol();
    }

    @Override
    public void collectIncomingData(byte[] data) {
        body.writeBytes(data);
    }

    @Override
    public void foundTerminator() throws IOException {
        if (inBody) {
            complete = true; // the Content-Length body is all here
            return;
        }
        String[] head = body.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        body.reset();
        status = Integer.parseInt(head[0].split(" ")[1]);
        for (int i = 1; i < head.length; i++) {
            int colon = head[i].indexOf(':');
            headers.put(head[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), head[i].substring(colon + 1).trim());
        }
        inBody = true;
        String length = headers.get("content-length");
        if (length == null) {
            setTerminator(Terminator.NONE); // the body ends with the stream
        } else if (Long.parseLong(length) == 0) {
            complete = true;
        } else {
            setTerminator(Integer.parseInt(length));
        }
    }

    /** The end of the stream: clean (close_notify over TLS); it ends a body without a length. */
    @Override
    public void handleClose() {
        if (inBody && headers.get("content-length") == null) {
            complete = true;
        }
        ended = true;
        close();
    }

    @Override
    public void handleError(Throwable t) {
        error = t;
        close();
    }

    /** Done: the connection ended or failed. */
    boolean finished() {
        return ended || error != null;
    }
}
