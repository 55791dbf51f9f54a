package io.asyncore.benchmarks.server;

import io.netty.handler.ssl.SslProvider;
import java.io.IOException;

/**
 * {@link NettyTlsEchoServer} on BoringSSL through netty-tcnative ({@link SslProvider#OPENSSL}):
 * issue 13's third anchor.
 */
public final class NettyBoringSslEchoServer {
    private static final String NAME = "NettyBoringSslEchoServer";

    private NettyBoringSslEchoServer() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        NettyTlsEchoServer.serve(args, NAME, SslProvider.OPENSSL);
    }
}
