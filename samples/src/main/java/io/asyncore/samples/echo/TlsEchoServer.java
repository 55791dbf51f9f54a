package io.asyncore.samples.echo;

import io.asyncore.SocketMap;
import io.asyncore.Tls;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * The echo server over TLS: each accepted connection starts TLS at once with a server engine of
 * {@code context} ({@link Tls#serverEngine}), then echoes as {@link EchoHandler} does: the handler
 * does not change.
 *
 * <pre>{@code
 * SSLContext context = Tls.server(Path.of("chain.pem"), Path.of("key.pem"));
 * new TlsEchoServer(new InetSocketAddress("127.0.0.1", 8443), 0, map, context, peer -> { }, (peer, e) -> { });
 * }</pre>
 *
 * <p>Threading: for the thread that runs {@code map}; the callbacks are called there.
 *
 * <p>Errors: a connection whose TLS fails (a client that refuses the certificate, a plaintext
 * client, a handshake that times out, a peer that closes without close_notify) is closed and told to
 * {@code onFailed}; the server goes on.
 */
public class TlsEchoServer extends EchoServer {
    private final SSLContext context;
    private final BiConsumer<SocketAddress, Throwable> onFailed;

    /**
     * Listens on {@code address} with a backlog of {@code backlog} (0: the system's).
     *
     * @param context the server's TLS context, for example from {@link Tls#server}
     * @param onAccepted told each new peer's address, before its handshake
     * @param onFailed told a peer and what failed its connection
     * @throws java.net.BindException if the address is in use or needs privileges
     */
    public TlsEchoServer(SocketAddress address, int backlog, SocketMap map, SSLContext context,
            Consumer<SocketAddress> onAccepted, BiConsumer<SocketAddress, Throwable> onFailed) throws IOException {
        super(address, backlog, map, onAccepted);
        this.context = Objects.requireNonNull(context, "context");
        this.onFailed = Objects.requireNonNull(onFailed, "onFailed");
    }

    @Override
    protected EchoHandler newHandler(SocketChannel sock, SocketAddress addr, ByteBuffer shared) {
        return serve(sock, addr, map(), shared, context, onFailed);
    }

    /**
     * Serves one accepted connection over TLS: an {@link EchoHandler} of {@code map} reading into
     * {@code shared}, after {@code startTls} with a server engine of {@code context}; any failure of
     * the connection closes it and is told to {@code onFailed}. Also for the mixed server's callback
     * connections.
     */
    static EchoHandler serve(SocketChannel sock, SocketAddress addr, SocketMap map, ByteBuffer shared, SSLContext context,
            BiConsumer<SocketAddress, Throwable> onFailed) {
        EchoHandler handler = new EchoHandler(sock, map, shared) {
            @Override
            public void handleError(Throwable error) {
                close();
                onFailed.accept(addr, error);
            }
        };
        try {
            handler.startTls(Tls.serverEngine(context));
        } catch (IOException | RuntimeException e) { // that connection fails, not the listener
            handler.handleError(e);
        }
        return handler;
    }
}
