package io.asyncore.interop;

import io.asyncore.SocketMap;
import io.asyncore.chat.AsyncChat;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLEngine;

/** Our callback-style line client over TLS: an {@link AsyncChat} that sends lines and collects the lines it gets back. */
final class LineClient extends AsyncChat {
    final List<String> lines = new ArrayList<>();
    String protocol;
    boolean ended;
    Throwable error;

    /** Connects to {@code address} and starts TLS with {@code engine} before the connect completes. */
    LineClient(SocketMap map, InetSocketAddress address, SSLEngine engine) throws IOException {
        super(map);
        setTerminator("\n");
        createSocket();
        connect(address);
        startTls(engine);
    }

    /** Queues {@code line} and a newline; it goes out once the handshake is done. */
    void sendLine(String line) throws IOException {
        push((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void handleConnect() {
    }

    @Override
    public void handleTlsHandshake() {
        protocol = tlsSession().getProtocol();
    }

    @Override
    public void foundTerminator() {
        String line = new String(takeIncomingData(), StandardCharsets.UTF_8);
        lines.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
    }

    /** The peer's close_notify: a clean end. */
    @Override
    public void handleClose() {
        ended = true;
        close();
    }

    @Override
    public void handleError(Throwable t) {
        error = t;
        close();
    }

    /** Done: the peer ended the stream or the connection failed. */
    boolean finished() {
        return ended || error != null;
    }
}
