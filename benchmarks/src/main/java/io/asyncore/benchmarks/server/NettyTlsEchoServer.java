package io.asyncore.benchmarks.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Netty 4.2's NIO transport with an {@code SslHandler} in front of the plaintext echo handler
 * ({@link NettyEchoServer.Echo}), one event-loop thread for the listener and every connection: the
 * mainstream JVM reference for TLS (issue 13). {@code main} runs it on the JDK's engine;
 * {@link NettyBoringSslEchoServer} on BoringSSL through netty-tcnative. A peer's close_notify
 * closes the channel (with close_notify of its own), as the other TLS servers do.
 */
public final class NettyTlsEchoServer {
    private static final String NAME = "NettyTlsEchoServer";

    private NettyTlsEchoServer() {
    }

    /** Closes the channel once the peer's close_notify arrived, and reports failures ({@link FailureLog}). */
    @ChannelHandler.Sharable
    static final class CloseOnCloseNotify extends ChannelInboundHandlerAdapter {
        private final String server;

        CloseOnCloseNotify(String server) {
            this.server = server;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslCloseCompletionEvent) {
                ctx.close();
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            FailureLog.report(server, cause);
            ctx.close();
        }
    }

    /** Serves TLS echo on the port in {@code args} with a context on {@code provider}, until the process ends. */
    static void serve(String[] args, String name, SslProvider provider) throws IOException, InterruptedException {
        InetSocketAddress address = ServerArgs.address(args, name);
        SslContext context = TlsSetup.nettyContext(name, provider);
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        NettyEchoServer.Echo echo = new NettyEchoServer.Echo();
        CloseOnCloseNotify closer = new CloseOnCloseNotify(name);
        Channel listener = new ServerBootstrap()
                .group(loop, loop)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, ServerArgs.BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(context.newHandler(ch.alloc()), closer, echo);
                    }
                })
                .bind(address)
                .sync()
                .channel();
        ServerArgs.ready(name, address);
        listener.closeFuture().sync();
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        serve(args, NAME, SslProvider.JDK);
    }
}
