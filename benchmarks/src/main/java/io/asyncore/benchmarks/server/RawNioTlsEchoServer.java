package io.asyncore.benchmarks.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;

/**
 * A hand-written JDK NIO selector loop with one JDK {@link SSLEngine} per connection, on one
 * thread: the floor of what TLS on the JDK's engine costs (issue 13), against which the TLS
 * servers are measured.
 *
 * <p>Minimal, but not naive: a read takes up to 64 KiB of ciphertext into a buffer every
 * connection shares, unwraps every whole record in it into a shared plaintext buffer, wraps the
 * echo into a shared ciphertext buffer and writes it with one call per 64 KiB. A connection keeps a
 * buffer of its own only for bytes it must hold: a partial record, or ciphertext the kernel did
 * not take (then it stops reading until that is sent). An idle connection holds its engine and
 * nothing else. A peer's close_notify is answered with one, then the connection is closed.
 */
public final class RawNioTlsEchoServer {
    private static final String NAME = "RawNioTlsEchoServer";
    private static final int IO_SIZE = 65536;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /** One connection: its engine, and the bytes it must hold (null when none, as when idle). */
    private static final class Conn {
        final SocketChannel ch;
        final SSLEngine engine;
        /** Ciphertext read but not unwrapped yet (a partial record), in read mode. */
        ByteBuffer leftover;
        /** Ciphertext the kernel did not take, in read mode. */
        ByteBuffer pending;

        Conn(SocketChannel ch, SSLEngine engine) {
            this.ch = ch;
            this.engine = engine;
        }
    }

    private final Selector selector;
    private final ServerSocketChannel listener;
    private final SSLContext context;
    private final int packetSize;
    private final int appSize;
    // Shared by every connection: the loop serves one at a time.
    private final ByteBuffer netIn;
    private final ByteBuffer app;
    private final ByteBuffer netOut;

    RawNioTlsEchoServer(InetSocketAddress address, SSLContext context) throws IOException {
        this.context = context;
        SSLEngine probe = context.createSSLEngine();
        packetSize = probe.getSession().getPacketBufferSize();
        appSize = probe.getSession().getApplicationBufferSize();
        netIn = ByteBuffer.allocate(IO_SIZE + packetSize);
        app = ByteBuffer.allocate(IO_SIZE + appSize);
        netOut = ByteBuffer.allocate(IO_SIZE + packetSize);
        selector = Selector.open();
        listener = NioSockets.listen(selector, address);
    }

    void run() throws IOException {
        NioSockets.loop(selector, this::ready);
    }

    private void ready(SelectionKey key) {
        Conn c = (Conn) key.attachment();
        try {
            if (key.isAcceptable()) {
                NioSockets.acceptAll(listener, selector, this::open);
                return;
            }
            if (key.isWritable()) {
                flushPending(key, c);
            }
            if (key.isValid() && key.isReadable()) {
                read(key, c);
            }
        } catch (IOException e) {
            FailureLog.report(NAME, e);
            NioSockets.close(key);
        }
    }

    /** A new connection's state: a server engine, its handshake begun. */
    private Conn open(SocketChannel ch) {
        SSLEngine engine = TlsSetup.restrict(context.createSSLEngine());
        engine.setUseClientMode(false);
        try {
            engine.beginHandshake();
        } catch (SSLException e) {
            throw new IllegalStateException("a new JDK engine cannot begin a handshake: " + e.getMessage(), e);
        }
        return new Conn(ch, engine);
    }

    private void read(SelectionKey key, Conn c) throws IOException {
        ByteBuffer in = netIn.clear();
        if (c.leftover != null) {
            in.put(c.leftover);
            c.leftover = null;
        }
        int n = c.ch.read(in);
        if (n < 0) {
            NioSockets.close(key); // an end of stream without close_notify: nothing to answer
            return;
        }
        pump(key, c, in.flip());
    }

    /** Sends what the kernel did not take; once all is gone, serves the whole records still held. */
    private void flushPending(SelectionKey key, Conn c) throws IOException {
        c.ch.write(c.pending);
        if (c.pending.hasRemaining()) {
            return;
        }
        c.pending = null;
        key.interestOps(SelectionKey.OP_READ);
        if (c.leftover != null) {
            ByteBuffer in = netIn.clear().put(c.leftover).flip();
            c.leftover = null;
            pump(key, c, in);
        }
    }

    /**
     * Unwraps every whole record in {@code in} (read mode), follows the handshake, and wraps the
     * echo of what was decrypted; stops early while sent bytes wait for the kernel.
     */
    private void pump(SelectionKey key, Conn c, ByteBuffer in) throws IOException {
        SSLEngine engine = c.engine;
        app.clear();
        netOut.clear();
        while (c.pending == null) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_TASK) {
                runTasks(engine);
                continue;
            }
            if (hs == HandshakeStatus.NEED_WRAP) {
                wrap(c, EMPTY);
                continue;
            }
            if (app.remaining() < appSize) {
                echo(c);
            }
            SSLEngineResult r = engine.unwrap(in, app);
            if (r.getStatus() == Status.CLOSED) {
                answerClose(c);
                NioSockets.close(key);
                return;
            }
            HandshakeStatus after = r.getHandshakeStatus();
            if (r.getStatus() == Status.BUFFER_UNDERFLOW
                    || r.bytesConsumed() == 0 && r.bytesProduced() == 0
                            && after != HandshakeStatus.NEED_TASK && after != HandshakeStatus.NEED_WRAP) {
                break; // a partial record, or nothing to do: wait for more
            }
        }
        echo(c);
        send(c);
        if (in.hasRemaining()) {
            c.leftover = ByteBuffer.allocate(in.remaining()).put(in).flip();
        }
        if (c.pending != null) {
            key.interestOps(SelectionKey.OP_WRITE); // back-pressure: read again once it is sent
        }
    }

    /**
     * The peer's close_notify arrived: the echo so far and our close_notify go out as far as the
     * socket takes them now. A peer that reset the connection right after its close_notify (as the
     * load generator does) is not an error.
     */
    private void answerClose(Conn c) {
        try {
            echo(c);
            c.engine.closeOutbound();
            wrap(c, EMPTY);
            send(c);
        } catch (IOException peerGone) {
            // closing anyway
        }
    }

    /** Wraps the decrypted bytes in {@link #app} (the echo). */
    private void echo(Conn c) throws IOException {
        app.flip();
        if (app.hasRemaining()) {
            wrap(c, app);
        }
        app.clear();
    }

    /** Wraps {@code src} (or one handshake or close message, for an empty one) into {@link #netOut}. */
    private void wrap(Conn c, ByteBuffer src) throws IOException {
        do {
            if (netOut.remaining() < packetSize) {
                send(c);
            }
            SSLEngineResult r = c.engine.wrap(src, netOut);
            if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                runTasks(c.engine);
            }
            if (r.getStatus() != Status.OK) {
                if (r.bytesProduced() == 0 && r.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                    throw new SSLException("the engine wants to wrap but wraps nothing (" + r + ")"); // never spin
                }
                return; // CLOSED after our close_notify
            }
        } while (src.hasRemaining());
    }

    /** Writes {@link #netOut}; what the kernel does not take is kept in the connection's pending buffer. */
    private void send(Conn c) throws IOException {
        netOut.flip();
        if (c.pending == null) {
            c.ch.write(netOut);
        }
        if (netOut.hasRemaining()) {
            if (c.pending == null) {
                c.pending = ByteBuffer.allocate(netOut.remaining()).put(netOut).flip();
            } else {
                c.pending = ByteBuffer.allocate(c.pending.remaining() + netOut.remaining()).put(c.pending).put(netOut).flip();
            }
        }
        netOut.clear();
    }

    private static void runTasks(SSLEngine engine) {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    public static void main(String[] args) throws IOException {
        InetSocketAddress address = ServerArgs.address(args, NAME);
        RawNioTlsEchoServer server = new RawNioTlsEchoServer(address, TlsSetup.jdkContext(NAME));
        ServerArgs.ready(NAME, address);
        server.run();
    }
}
