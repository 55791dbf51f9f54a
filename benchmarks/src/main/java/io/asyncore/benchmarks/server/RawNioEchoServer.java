package io.asyncore.benchmarks.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A hand-written JDK NIO selector loop on one thread: the floor of what the JDK costs, against
 * which the asyncore servers are measured.
 *
 * <p>Every connection reads through one shared direct buffer and writes straight back; only bytes
 * the kernel does not take are copied into a buffer of the connection's own, and the connection
 * stops reading until they are sent. Each accept event drains the backlog.
 */
public final class RawNioEchoServer {
    private static final String NAME = "RawNioEchoServer";
    private static final int ACCEPTS_PER_EVENT = 64;

    private final Selector selector;
    private final ServerSocketChannel listener;
    private final ByteBuffer shared = ByteBuffer.allocateDirect(65536);

    RawNioEchoServer(InetSocketAddress address) throws IOException {
        selector = Selector.open();
        listener = ServerArgs.listen(selector, address);
    }

    void run() throws IOException {
        while (true) {
            selector.select(this::ready);
        }
    }

    private void ready(SelectionKey key) {
        try {
            if (key.isAcceptable()) {
                accept();
                return;
            }
            if (key.isWritable()) {
                flush(key);
            }
            if (key.isValid() && key.isReadable()) {
                echo(key);
            }
        } catch (IOException e) {
            close(key);
        }
    }

    private void accept() throws IOException {
        for (int i = 0; i < ACCEPTS_PER_EVENT; i++) {
            SocketChannel ch = listener.accept();
            if (ch == null) {
                return;
            }
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true); // as every server here (Netty's default)
            ch.register(selector, SelectionKey.OP_READ);
        }
    }

    private void echo(SelectionKey key) throws IOException {
        SocketChannel ch = (SocketChannel) key.channel();
        shared.clear();
        int n = ch.read(shared);
        if (n < 0) {
            close(key);
            return;
        }
        if (n == 0) {
            return;
        }
        shared.flip();
        ch.write(shared);
        if (shared.hasRemaining()) {
            ByteBuffer pending = ByteBuffer.allocate(shared.remaining()).put(shared).flip();
            key.attach(pending);
            key.interestOps(SelectionKey.OP_WRITE);
        }
    }

    private void flush(SelectionKey key) throws IOException {
        ByteBuffer pending = (ByteBuffer) key.attachment();
        ((SocketChannel) key.channel()).write(pending);
        if (!pending.hasRemaining()) {
            key.attach(null);
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    private static void close(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // the peer is gone already; nothing to report in a benchmark server
        }
    }

    public static void main(String[] args) throws IOException {
        InetSocketAddress address = ServerArgs.address(args, NAME);
        RawNioEchoServer server = new RawNioEchoServer(address);
        ServerArgs.ready(NAME, address);
        server.run();
    }
}
