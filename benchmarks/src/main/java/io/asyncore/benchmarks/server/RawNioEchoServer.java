package io.asyncore.benchmarks.server;

import java.io.IOException;
import java.net.InetSocketAddress;
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

    private final Selector selector;
    private final ServerSocketChannel listener;
    private final ByteBuffer shared = ByteBuffer.allocateDirect(65536);

    RawNioEchoServer(InetSocketAddress address) throws IOException {
        selector = Selector.open();
        listener = NioSockets.listen(selector, address);
    }

    void run() throws IOException {
        NioSockets.loop(selector, this::ready);
    }

    private void ready(SelectionKey key) {
        try {
            if (key.isAcceptable()) {
                NioSockets.acceptAll(listener, selector, ch -> null);
                return;
            }
            if (key.isWritable()) {
                flush(key);
            }
            if (key.isValid() && key.isReadable()) {
                echo(key);
            }
        } catch (IOException e) {
            NioSockets.close(key);
        }
    }

    private void echo(SelectionKey key) throws IOException {
        SocketChannel ch = (SocketChannel) key.channel();
        shared.clear();
        int n = ch.read(shared);
        if (n < 0) {
            NioSockets.close(key);
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

    public static void main(String[] args) throws IOException {
        InetSocketAddress address = ServerArgs.address(args, NAME);
        RawNioEchoServer server = new RawNioEchoServer(address);
        ServerArgs.ready(NAME, address);
        server.run();
    }
}
