package io.asyncore.samples.starttls;

import io.asyncore.Asyncore;
import io.asyncore.Dispatcher;
import io.asyncore.SocketMap;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * The STARTTLS sample's server: each accepted connection gets a conversation that starts in
 * plaintext and moves to TLS with {@code context} on a {@code STARTTLS} line (the protocol is
 * described in the {@linkplain io.asyncore.samples.starttls package}).
 *
 * <pre>{@code
 * new StartTlsServer(new InetSocketAddress("127.0.0.1", 2525), map, Tls.server(chain, key), peer -> { }, (peer, e) -> { });
 * Asyncore.loop(null, false, map);
 * }</pre>
 *
 * <p>Threading: for the thread that runs {@code map}; the callbacks are called there.
 *
 * <p>Errors: a conversation that fails (a TLS failure, plaintext injected behind {@code STARTTLS},
 * a line over 1 KiB) is closed and told to {@code onFailed}; the server goes on.
 */
public class StartTlsServer extends Dispatcher {
    private final SSLContext context;
    private final Consumer<SocketAddress> onAccepted;
    private final BiConsumer<SocketAddress, Throwable> onFailed;

    /**
     * Listens on {@code address} (port 0 picks a free one: see {@link #port()}).
     *
     * @param context the server's TLS context, for example from {@link io.asyncore.Tls#server}
     * @param onAccepted told each new peer's address
     * @param onFailed told a peer and what failed its conversation
     * @throws java.net.BindException if the address is in use or needs privileges
     */
    public StartTlsServer(SocketAddress address, SocketMap map, SSLContext context, Consumer<SocketAddress> onAccepted,
            BiConsumer<SocketAddress, Throwable> onFailed) throws IOException {
        super(map);
        this.context = Objects.requireNonNull(context, "context");
        this.onAccepted = Objects.requireNonNull(onAccepted, "onAccepted");
        this.onFailed = Objects.requireNonNull(onFailed, "onFailed");
        createSocket(Asyncore.protocolFamily(address));
        setReuseAddr();
        bind(address);
        listen();
    }

    /** The port actually listened on. */
    public int port() throws IOException {
        return ((InetSocketAddress) ((ServerSocketChannel) socket()).getLocalAddress()).getPort();
    }

    @Override
    public void handleAccepted(SocketChannel sock, SocketAddress addr) throws IOException {
        onAccepted.accept(addr);
        new StartTlsSession(sock, addr, map(), context, onFailed);
    }
}
