package io.asyncore.benchmarks.server;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;

/**
 * The asyncore callback TLS echo server ({@link TlsCallbackEchoServer}) on BoringSSL engines from
 * netty-tcnative ({@code SslContextBuilder...sslProvider(OPENSSL)}, then
 * {@code newEngine(ByteBufAllocator.DEFAULT)}): {@code startTls} takes any {@link javax.net.ssl.SSLEngine}.
 * netty-tcnative is a dependency of the benchmarks only, never of the core.
 */
public final class BoringSslCallbackEchoServer {
    private static final String NAME = "BoringSslCallbackEchoServer";

    private BoringSslCallbackEchoServer() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        SslContext context = TlsSetup.nettyContext(NAME, SslProvider.OPENSSL);
        EchoListener.run(args, NAME, (map, address, reusePort) ->
                new TlsCallbackEchoServer(map, address, reusePort, () -> context.newEngine(ByteBufAllocator.DEFAULT)));
    }
}
