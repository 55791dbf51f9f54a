package io.asyncore;

import io.asyncore.internal.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * TLS under a dispatcher: an {@link SSLEngine} between the application's bytes and the channel.
 *
 * <p>Buffers: ciphertext is read into, and records are built in, the map's scratch buffers
 * ({@link TlsScratch}); a connection keeps a buffer of its own only while it holds something (a
 * partial record, decrypted bytes the application has not taken, a record the socket did not
 * take whole), so an idle TLS connection holds none.
 *
 * <p>The rules that keep it from stalling or spinning: after a read it unwraps until the engine
 * wants more input, since the selector will not report ciphertext already read; decrypted bytes
 * the application has not taken make it readable through {@link Host#inputBuffered()}; a result
 * that consumed and produced nothing counts as no progress; the engine's handshake status is
 * followed after every call, in both directions (delegated tasks run on the loop thread).
 */
final class TlsTransport implements Transport {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** Records unwrapped or wrapped per call at most, so one connection cannot hold the loop. */
    private static final int RECORDS_PER_CALL = 64;
    /** Ciphertext read per system call at most: several records, so a bulk stream needs few calls. */
    private static final int READ_CHUNK = 64 * 1024;
    /** Ciphertext built per write system call at most: several records, as a read takes several. */
    private static final int WRITE_CHUNK = 64 * 1024;
    /** The most room an unwrap may ask for: a whole read's worth of records, and then some. */
    private static final int MAX_UNWRAP_ROOM = 4 * READ_CHUNK;

    private final SSLEngine engine;
    private final SocketChannel channel;
    private final Registration host;
    private final TlsScratch scratch;

    /** Plaintext that was queued before {@code startTls} and goes out before the first record. */
    private ByteBuffer plaintextFirst;
    /** Ciphertext read but not yet unwrapped (a partial record), in read mode; null when none. */
    private ByteBuffer netIn;
    /** Decrypted bytes the application has not taken, in read mode; null when none. */
    private ByteBuffer appIn;
    /** A record the socket did not take whole, in read mode; null when none. */
    private ByteBuffer netOut;

    /** The status and consumption of the last unwrap: whether more input is needed before the next. */
    private Status lastUnwrap;
    private int lastConsumed;

    private boolean handshaking = true;
    /**
     * A handshake flight was just sent: the peer's answer cannot be read in the same pass, so the
     * next unwrap waits for the selector instead of trying a read that finds nothing.
     */
    private boolean flightSent;
    private boolean inboundDone;
    private boolean outboundDone;
    private TimerHandle handshakeTimer;
    private final Duration handshakeTimeout;

    TlsTransport(SSLEngine engine, SocketChannel channel, Registration host, Duration handshakeTimeout,
            ByteBuffer plaintextFirst) {
        this.engine = engine;
        this.channel = channel;
        this.host = host;
        this.scratch = host.dispatcher.map().tlsScratch();
        this.handshakeTimeout = handshakeTimeout;
        this.plaintextFirst = plaintextFirst != null && plaintextFirst.hasRemaining() ? plaintextFirst : null;
    }

    /** Starts the handshake and its timeout. */
    void begin() throws SSLException {
        engine.beginHandshake();
        handshakeTimer = host.dispatcher.map().callLater(handshakeTimeout, this::handshakeTimedOut);
        host.interestChanged();
    }

    boolean isHandshaking() {
        return handshaking;
    }

    SSLEngine engine() {
        return engine;
    }

    /** True while the connection keeps a buffer of its own; an idle connection keeps none. For tests. */
    boolean holdsBuffers() {
        return netIn != null || appIn != null || netOut != null || plaintextFirst != null;
    }

    // ---------------------------------------------------------------- readiness

    @Override
    public int interestOps(int applicationOps) {
        if ((applicationOps & SelectionKey.OP_CONNECT) != 0) {
            return applicationOps; // the handshake starts once the TCP connect is done
        }
        int ops = netOut != null || plaintextFirst != null ? SelectionKey.OP_WRITE : 0;
        if (handshaking) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_WRAP) {
                ops |= SelectionKey.OP_WRITE;
            } else if (hs == HandshakeStatus.NEED_UNWRAP || hs == HandshakeStatus.NEED_UNWRAP_AGAIN) {
                ops |= SelectionKey.OP_READ;
            }
            return ops; // the application waits until the handshake is done
        }
        if (netOut == null && plaintextFirst == null) {
            ops |= applicationOps & SelectionKey.OP_WRITE;
        }
        return ops | (applicationOps & SelectionKey.OP_READ);
    }

    @Override
    public int ready(int readyOps, int applicationOps) throws IOException {
        if ((readyOps & SelectionKey.OP_CONNECT) != 0) {
            return readyOps;
        }
        if ((readyOps & SelectionKey.OP_WRITE) != 0 && !flush()) {
            readyOps &= ~SelectionKey.OP_WRITE;
        }
        if ((readyOps & SelectionKey.OP_READ) != 0) {
            flightSent = false; // the peer's answer is here
        }
        if (handshaking) {
            handshake();
            if (handshaking) {
                return 0;
            }
            host.dispatcher.tlsHandshakeDone(); // here, not inside the engine calls: the handler may use the scratch buffers
            if (host.key == null) {
                return 0; // the handler closed the dispatcher
            }
            readyOps |= appIn != null ? SelectionKey.OP_READ : 0;
        }
        int out = 0;
        if ((applicationOps & SelectionKey.OP_READ) != 0
                && ((readyOps & SelectionKey.OP_READ) != 0 || appIn != null || inboundDone)) {
            out |= SelectionKey.OP_READ;
        }
        if ((applicationOps & SelectionKey.OP_WRITE) != 0 && (readyOps & SelectionKey.OP_WRITE) != 0 && netOut == null) {
            out |= SelectionKey.OP_WRITE;
        }
        return out;
    }

    @Override
    public boolean hasBufferedInput() {
        return !handshaking && (appIn != null || netIn != null && !inboundDone);
    }

    // ---------------------------------------------------------------- reading

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (appIn != null) {
            return takeDecrypted(dst);
        }
        if (handshaking || inboundDone) {
            return inboundDone ? -1 : 0;
        }
        int n = unwrapInto(dst);
        if (n == 0 && inboundDone) {
            return -1;
        }
        return n;
    }

    /** Hands out decrypted bytes held from an earlier unwrap. */
    private int takeDecrypted(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), appIn.remaining());
        dst.put(appIn.slice(appIn.position(), n));
        appIn.position(appIn.position() + n);
        if (!appIn.hasRemaining()) {
            appIn = null;
        }
        if (appIn != null || netIn != null) {
            host.inputBuffered();
        }
        return n;
    }

    /**
     * Reads from the socket and unwraps until some application bytes are produced, the socket has
     * none, or the peer closed. Never returns with a complete record left unreported.
     */
    private int unwrapInto(ByteBuffer dst) throws IOException {
        ByteBuffer in = scratch.netIn(Math.max(READ_CHUNK, engine.getSession().getPacketBufferSize()));
        ByteBuffer own = netIn;
        if (own != null) {
            in.put(own);
            netIn = null;
        }
        boolean socketHadMore = true;
        int total = 0;
        try {
            for (int records = 0; records < RECORDS_PER_CALL; records++) {
                if (total > 0 && dst.remaining() < engine.getSession().getApplicationBufferSize()) {
                    return total; // the next record stays ciphertext until the application has room for it
                }
                in.flip();
                total += unwrapOnce(in, dst);
                in.compact();
                if (inboundDone || appIn != null) {
                    return total; // the end of the stream, or the caller's buffer is full
                }
                if (lastUnwrap == Status.BUFFER_UNDERFLOW || lastConsumed == 0) {
                    if (total > 0 || !socketHadMore) {
                        return total;
                    }
                    if (flightSent && handshaking) {
                        flightSent = false;
                        return total; // wait for the selector to report the peer's answer
                    }
                    in = ensureRoom(in);
                    int r = channel.read(in);
                    if (r < 0) {
                        throw truncated();
                    }
                    socketHadMore = r > 0;
                }
            }
            host.inputBuffered(); // the budget ran out: come back next pass
            return total;
        } finally {
            keepLeftover(in, own);
        }
    }

    /**
     * One unwrap of {@code in} (read mode) toward {@code dst}: straight into it when it can take a
     * whole record, else through the scratch buffer, keeping what does not fit in {@link #appIn}.
     *
     * @return the application bytes put into {@code dst}
     */
    private int unwrapOnce(ByteBuffer in, ByteBuffer dst) throws IOException {
        int appSize = engine.getSession().getApplicationBufferSize();
        ByteBuffer target = dst.remaining() >= appSize ? dst : scratch.appIn(appSize);
        int before = target.position();
        SSLEngineResult r = unwrap(in, target);
        // An engine may want more room than its session says (an OpenSSL engine unwraps several
        // records at once): an overflow produced nothing, so unwrap again into a larger scratch buffer.
        for (int size = Math.max(appSize, target.remaining()) * 2; r.getStatus() == Status.BUFFER_OVERFLOW; size *= 2) {
            if (size > MAX_UNWRAP_ROOM) {
                throw new SSLException("the TLS engine asked for more than " + MAX_UNWRAP_ROOM
                        + " bytes of room to unwrap one read (its session says " + appSize + "); the engine is inconsistent");
            }
            target = scratch.appIn(size);
            before = target.position();
            r = unwrap(in, target);
        }
        lastUnwrap = r.getStatus();
        lastConsumed = r.bytesConsumed();
        if (r.getStatus() == Status.CLOSED) {
            inboundDone = true; // the peer's close_notify: answered at once (see Dispatcher.startTls)
            shutdownOutput();
        }
        followHandshake(r.getHandshakeStatus());
        int produced = target.position() - before;
        if (target != dst && produced > 0) {
            target.flip();
            int n = Math.min(dst.remaining(), target.remaining());
            dst.put(target.slice(target.position(), n));
            target.position(target.position() + n);
            if (target.hasRemaining()) {
                appIn = append(appIn, target); // behind any bytes held before, in order
                host.inputBuffered();
            }
            return n;
        }
        return produced;
    }

    private SSLEngineResult unwrap(ByteBuffer in, ByteBuffer target) throws SSLException {
        try {
            return engine.unwrap(in, target);
        } catch (SSLException e) {
            throw failed(e);
        }
    }

    /** The peer's end of stream came without a close_notify: a truncation, not a clean end. */
    private SSLException truncated() {
        inboundDone = true;
        try {
            engine.closeInbound();
        } catch (SSLException expected) {
            // the engine says the same thing: no close_notify
        }
        return new TlsTruncationException(handshaking
                ? "the peer closed the connection during the TLS handshake (it may not speak TLS, or refused ours)"
                : "the peer closed the connection without a TLS close_notify: what it sent may be truncated");
    }

    /** Grows {@code in} (write mode) to the session's packet size if a record needs more room. */
    private ByteBuffer ensureRoom(ByteBuffer in) {
        int packet = engine.getSession().getPacketBufferSize();
        if (in.capacity() >= packet && in.hasRemaining()) {
            return in;
        }
        ByteBuffer bigger = scratch.growNetIn(Math.max(packet, in.capacity() * 2));
        in.flip();
        bigger.put(in);
        return bigger;
    }

    /** Keeps a partial record (in write mode in {@code in}) in a buffer of this connection's own. */
    private void keepLeftover(ByteBuffer in, ByteBuffer reusable) {
        in.flip();
        if (!in.hasRemaining()) {
            netIn = null; // nothing held: an idle connection keeps no buffer
        } else if (reusable != null && reusable.capacity() >= in.remaining()) {
            netIn = reusable.clear().put(in).flip(); // streaming: the same buffer, no allocation per read
        } else {
            netIn = ByteBuffer.allocate(Math.max(in.remaining(), engine.getSession().getPacketBufferSize())).put(in).flip();
        }
        in.clear();
        if (netIn != null && lastUnwrap != Status.BUFFER_UNDERFLOW && !handshaking) {
            host.inputBuffered(); // it may hold whole records, which the selector will not report
        }
    }

    // ---------------------------------------------------------------- writing

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!flush() || handshaking) {
            return 0;
        }
        checkOutboundOpen();
        int taken = 0;
        ByteBuffer out = records();
        for (int records = 0; records < RECORDS_PER_CALL && src.hasRemaining(); records++) {
            if (out.remaining() < engine.getSession().getPacketBufferSize() && !send(out.flip())) {
                return taken; // the socket is full: the rest waits for OP_WRITE
            }
            SSLEngineResult r = wrap(src, out);
            taken += r.bytesConsumed();
            if (r.getStatus() == Status.CLOSED) {
                send(out.flip());
                throw new SSLException("the TLS session is closed; nothing more can be sent");
            }
            HandshakeStatus hs = r.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_TASK || hs == HandshakeStatus.NEED_WRAP || hs == HandshakeStatus.FINISHED) {
                // A post-handshake message to answer: the records built so far go out first, in order.
                boolean sent = send(out.flip());
                followHandshake(hs);
                if (!sent) {
                    return taken;
                }
                out = records();
            }
            if (r.bytesConsumed() == 0) {
                break;
            }
        }
        send(out.flip());
        return taken;
    }

    /** The scratch buffer records are built in: several records, sent with one system call. */
    private ByteBuffer records() {
        return scratch.netOut(WRITE_CHUNK + engine.getSession().getPacketBufferSize());
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long taken = 0;
        for (int i = offset; i < offset + length; i++) {
            ByteBuffer b = srcs[i];
            int want = b.remaining();
            int n = write(b);
            taken += n;
            if (n < want) {
                break;
            }
        }
        return taken;
    }

    @Override
    public long transferFrom(FileChannel file, long position, long count) throws IOException {
        if (!flush() || handshaking) {
            return 0;
        }
        ByteBuffer chunk = scratch.fileChunk();
        chunk.limit((int) Math.min(chunk.capacity(), count));
        int n = file.read(chunk, position);
        if (n <= 0) {
            chunk.clear();
            return n < 0 ? 0 : n;
        }
        chunk.flip();
        int taken = write(chunk);
        chunk.clear();
        return taken;
    }

    @Override
    public void shutdownOutput() throws IOException {
        if (outboundDone) {
            return;
        }
        outboundDone = true;
        engine.closeOutbound();
        wrapHandshake();
        host.interestChanged();
    }

    /** Sends close_notify as well as the socket takes it now: {@code close()} does not wait for the peer. */
    void closeGracefully() {
        try {
            if (!handshaking && !outboundDone) {
                shutdownOutput();
            }
            flush();
        } catch (IOException | RuntimeException e) {
            // closing anyway: the peer sees a truncation instead of a clean end
        }
        cancelTimer();
    }

    private void checkOutboundOpen() throws SSLException {
        if (outboundDone) {
            throw new SSLException("send after the TLS output was closed (shutdownOutput() or the peer's close_notify)");
        }
    }

    private SSLEngineResult wrap(ByteBuffer src, ByteBuffer out) throws SSLException {
        try {
            return engine.wrap(src, out);
        } catch (SSLException e) {
            throw failed(e);
        }
    }

    /**
     * Writes the plaintext prefix, then a record the socket did not take whole.
     *
     * @return true if nothing is left waiting
     */
    private boolean flush() throws IOException {
        if (plaintextFirst != null) {
            channel.write(plaintextFirst);
            if (plaintextFirst.hasRemaining()) {
                return false;
            }
            plaintextFirst = null;
            host.interestChanged();
        }
        if (netOut != null) {
            channel.write(netOut);
            if (netOut.hasRemaining()) {
                return false;
            }
            netOut = null;
            host.interestChanged();
        }
        return true;
    }

    /** Writes one record (read mode) from the scratch buffer; keeps what the socket did not take. */
    private boolean send(ByteBuffer record) throws IOException {
        if (plaintextFirst == null && netOut == null) {
            channel.write(record);
        }
        if (record.hasRemaining()) {
            netOut = netOut == null ? copyOf(record) : append(netOut, record);
            host.interestChanged();
            record.clear();
            return false;
        }
        record.clear();
        return true;
    }

    // ---------------------------------------------------------------- handshake

    /** Advances the handshake as far as it goes without waiting. */
    private void handshake() throws IOException {
        for (int steps = 0; steps < RECORDS_PER_CALL && handshaking; steps++) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            switch (hs) {
                case NEED_TASK -> runTasks();
                case NEED_WRAP -> {
                    if (!wrapHandshake()) {
                        return; // the socket is full: wait for OP_WRITE
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    // Its own scratch buffer: unwrapping toward it may use appIn's for a record that does not fit.
                    ByteBuffer sink = scratch.handshakeSink(engine.getSession().getApplicationBufferSize());
                    int produced = unwrapInto(sink);
                    sink.flip();
                    if (produced > 0) {
                        // The sink's bytes came first; appIn may hold a later record that did not fit in it.
                        appIn = appIn == null ? append(null, sink) : append(sink, appIn);
                    }
                    sink.clear();
                    if (engine.getHandshakeStatus() == hs && lastConsumed == 0) {
                        host.interestChanged();
                        return; // nothing more to read now: wait for OP_READ
                    }
                }
                case FINISHED, NOT_HANDSHAKING -> finished();
            }
        }
        host.interestChanged();
    }

    /** Follows the status an engine call left behind: tasks, records to send, the end of the handshake. */
    private void followHandshake(HandshakeStatus hs) throws IOException {
        switch (hs) {
            case NEED_TASK -> {
                runTasks();
                if (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                    wrapHandshake();
                }
            }
            case NEED_WRAP -> wrapHandshake();
            case FINISHED -> {
                if (handshaking) {
                    finished();
                }
            }
            default -> { }
        }
    }

    /**
     * Wraps handshake or close messages until the engine wants something else, and sends them with
     * one system call (a whole flight); false if the socket did not take them all.
     */
    private boolean wrapHandshake() throws IOException {
        boolean wasHandshaking = handshaking;
        ByteBuffer out = records();
        for (int i = 0; i < RECORDS_PER_CALL; i++) {
            if (out.remaining() < engine.getSession().getPacketBufferSize() && !send(out.flip())) {
                return false;
            }
            SSLEngineResult r = wrap(EMPTY, out);
            HandshakeStatus hs = r.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_TASK) {
                runTasks();
                hs = engine.getHandshakeStatus();
            }
            if (hs == HandshakeStatus.FINISHED && handshaking) {
                finished();
            }
            if (hs != HandshakeStatus.NEED_WRAP || r.getStatus() == Status.CLOSED) {
                break;
            }
        }
        flightSent = wasHandshaking && out.position() > 0;
        return send(out.flip());
    }

    /** An engine failure: its alert goes to the peer, and the error to the caller in words a user can act on. */
    private SSLException failed(SSLException e) {
        sendAlert();
        return TlsErrors.explain(e, handshaking);
    }

    /**
     * After a failure the engine holds an alert that tells the peer why (a bad certificate, no
     * common protocol): send it as far as the socket takes it now, so the peer's error says so too.
     */
    private void sendAlert() {
        try {
            ByteBuffer out = scratch.netOut(engine.getSession().getPacketBufferSize());
            engine.wrap(EMPTY, out);
            send(out.flip());
            flush();
        } catch (IOException | RuntimeException alsoFailed) {
            // the connection fails anyway; the original error is the one reported
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    private void finished() {
        handshaking = false;
        cancelTimer();
        host.interestChanged();
        if (appIn != null || netIn != null) {
            host.inputBuffered();
        }
    }

    private void handshakeTimedOut() {
        handshakeTimer = null;
        if (handshaking && host.key != null) {
            host.dispatcher.handleError(new SSLHandshakeException("the TLS handshake did not complete within "
                    + handshakeTimeout.toMillis() + " ms: the peer is slow, silent, or does not speak TLS"));
        }
    }

    private void cancelTimer() {
        if (handshakeTimer != null) {
            handshakeTimer.cancel();
            handshakeTimer = null;
        }
    }

    // ---------------------------------------------------------------- buffers

    private static ByteBuffer copyOf(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(b.remaining());
        c.put(b).flip();
        return c;
    }

    /** {@code head} (read mode, may be null) followed by {@code tail}'s remaining bytes, in read mode. */
    private static ByteBuffer append(ByteBuffer head, ByteBuffer tail) {
        if (head == null) {
            return copyOf(tail);
        }
        ByteBuffer c = ByteBuffer.allocate(head.remaining() + tail.remaining());
        c.put(head).put(tail).flip();
        return c;
    }

    @Override
    public String toString() {
        return "TlsTransport[" + (handshaking ? "handshaking" : engine.getSession().getProtocol()) + ", " + channel + "]";
    }

    /** The peer's end of stream without a close_notify, told apart from a clean end by its type. */
    static final class TlsTruncationException extends SSLException {
        private static final long serialVersionUID = 1L;

        TlsTruncationException(String message) {
            super(message);
        }
    }
}
