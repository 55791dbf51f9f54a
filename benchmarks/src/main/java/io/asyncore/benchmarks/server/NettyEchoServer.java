package io.asyncore.benchmarks.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;

/**
 * Netty 4.2's NIO transport with one event-loop thread serving both the listener and every
 * connection: the mainstream JVM reference the asyncore servers are compared with.
 *
 * <p>The handler writes what it reads and flushes once per read burst; it stops reading while
 * the outbound buffer is above its high-water mark (the same back-pressure as the other servers).
 */
public final class NettyEchoServer {
    private static final String NAME = "NettyEchoServer";

    @ChannelHandler.Sharable
    static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
            if (!ctx.channel().isWritable()) {
                ctx.flush();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a reset peer; the benchmark does not care why
        }
    }

    public static void main(String[] args) throws InterruptedException {
        InetSocketAddress address = ServerArgs.address(args, NAME);
        // --loops N: N event loops, the listener on one of them handing connections to all (Netty's own round robin).
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(ServerArgs.loops(args, NAME), NioIoHandler.newFactory());
        Echo echo = new Echo();
        Channel listener = new ServerBootstrap()
                .group(loop, loop)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, ServerArgs.BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true) // Netty's default, spelled out: every server here sets it
                .childHandler(echo)
                .bind(address)
                .sync()
                .channel();
        ServerArgs.ready(NAME, address);
        listener.closeFuture().sync();
    }
}
