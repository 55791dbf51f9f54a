package io.asyncore.benchmarks.server;

import io.asyncore.SocketMap;
import io.asyncore.Tls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * The asyncore callback echo server over TLS (issue 13): the samples-style fast handler, a
 * {@link io.asyncore.DispatcherWithSend} that reads into one 64 KiB buffer the server shares and
 * sends it back, switched to TLS with {@code startTls(engine)} right after each accept. The handler
 * code is the plaintext one's: TLS sits under it.
 *
 * <p>{@code main} runs it on the JDK's engine ({@link Tls#serverEngine(SSLContext)});
 * {@link BoringSslCallbackEchoServer} runs the same server on BoringSSL engines. Both are limited to
 * TLS 1.3 with {@value TlsSetup#CIPHER} ({@link TlsSetup}).
 */
public final class TlsCallbackEchoServer extends EchoListener {
    private static final String NAME = "TlsCallbackEchoServer";

    private final Supplier<SSLEngine> engines;

    TlsCallbackEchoServer(SocketMap map, InetSocketAddress address, boolean reusePort, Supplier<SSLEngine> engines)
            throws IOException {
        super(map, address, reusePort);
        this.engines = engines;
    }

    @Override
    void serve(SocketChannel sock, SocketMap map) throws IOException {
        new TlsEchoHandler(sock, map, readBuffer(map)).startTls(engines.get());
    }

    /** The plaintext server's handler ({@link CallbackEchoServer.EchoHandler}), unchanged but for failures. */
    static final class TlsEchoHandler extends CallbackEchoServer.EchoHandler {
        TlsEchoHandler(SocketChannel sock, SocketMap map, ByteBuffer shared) {
            super(sock, map, shared);
        }

        /** A failed connection is closed; the first few failures are printed, so a misbehaving run shows why. */
        @Override
        public void handleError(Throwable error) {
            FailureLog.report(NAME, error);
            close();
        }
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        SSLContext context = TlsSetup.jdkContext(NAME);
        run(args, NAME, (map, address, reusePort) ->
                new TlsCallbackEchoServer(map, address, reusePort, () -> TlsSetup.restrict(Tls.serverEngine(context))));
    }
}
