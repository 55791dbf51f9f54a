package io.asyncore;

import io.asyncore.internal.InterestAnnounced;
import io.asyncore.internal.WaterMarks;
import io.asyncore.internal.LoopEvents;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;

/**
 * A {@link Dispatcher} whose {@link #send} buffers what the kernel does not take at once and sends
 * it as the socket becomes writable: Python's {@code dispatcher_with_send}.
 *
 * <p>Each write event sends at most 65536 bytes, as Python does. Unlike Python's
 * {@code out_buffer + data}, appending is linear; and when everything went out, the buffer is
 * released, so an idle connection holds none.
 *
 * <h2>Bounded output: water marks</h2>
 * Python's {@code dispatcher_with_send} queues without limit, so an echo server whose peer sends
 * and never reads holds everything that peer sent, until the process runs out of memory. Here,
 * once more than {@link #highWaterMark()} bytes wait to be sent (64 KiB by default), the
 * dispatcher stops asking to read ({@link #readable()} turns false); it asks again once the queue
 * has drained to {@link #lowWaterMark()} (16 KiB by default). A handler that sends what it reads
 * therefore holds at most the high-water mark plus one read. {@code send} itself never refuses or
 * blocks: it is the reading that pauses. A dispatcher that must keep reading while a large send
 * drains (a client that uploads and reads its answer at the same time) raises the marks with
 * {@link #setWaterMarks(int, int)}. A subclass that overrides {@code readable()} takes over the
 * decision; it keeps the bound by answering {@code super.readable() && ...}.
 *
 * <h2>Closing</h2>
 * <ul>
 *   <li>{@link #closeWhenDone()}: the queued bytes go out first, then the socket closes (asynchat's
 *       meaning). Reading stops at once. Use it where an echo server meets end of stream.
 *   <li>{@link #close()}: closes now, as in Python; bytes still queued are dropped (and counted in
 *       the debug log). So do {@link Asyncore#closeAll} and {@link SocketMap#close()}, which close
 *       every dispatcher at once, and a peer that goes away (nobody is left to read the bytes):
 *       {@link #handleClose()} runs, and if it leaves the dispatcher open while bytes are queued,
 *       the dispatcher closes itself, since each write event would fail again (Python's spins).
 * </ul>
 */
public class DispatcherWithSend extends Dispatcher {
    /** Bytes handed to the kernel per send call at most, as in Python. */
    public static final int SEND_CHUNK = 65536;
    /** The default {@link #highWaterMark()}: 64 KiB. */
    public static final int DEFAULT_HIGH_WATER_MARK = WaterMarks.DEFAULT_HIGH;
    /** The default {@link #lowWaterMark()}: 16 KiB. */
    public static final int DEFAULT_LOW_WATER_MARK = WaterMarks.DEFAULT_LOW;

    /** Bytes not yet sent, between position and limit; null when there are none. */
    private ByteBuffer outBuffer;
    private int lowWaterMark = DEFAULT_LOW_WATER_MARK;
    private int highWaterMark = DEFAULT_HIGH_WATER_MARK;
    /** True from crossing the high-water mark until draining to the low one. */
    private boolean readPaused;
    /** True once closeWhenDone() was called. */
    private boolean closeWhenDone;

    /** See {@link Dispatcher#Dispatcher()}. */
    public DispatcherWithSend() {
        this(null, null);
    }

    /** See {@link Dispatcher#Dispatcher(SocketMap)}. */
    public DispatcherWithSend(SocketMap map) {
        this(null, map);
    }

    /** See {@link Dispatcher#Dispatcher(NetworkChannel)}. */
    public DispatcherWithSend(NetworkChannel sock) {
        this(sock, null);
    }

    /** See {@link Dispatcher#Dispatcher(NetworkChannel, SocketMap)}. */
    public DispatcherWithSend(NetworkChannel sock, SocketMap map) {
        super(sock, map);
    }

    // ---------------------------------------------------------------- water marks

    /** Above this many queued bytes the dispatcher stops reading; 64 KiB unless set. */
    public int highWaterMark() {
        return highWaterMark;
    }

    /** Once reading paused, it resumes when no more than this many bytes are queued; 16 KiB unless set. */
    public int lowWaterMark() {
        return lowWaterMark;
    }

    /**
     * Sets both water marks. Takes effect at once: reading is paused exactly when more than the new
     * high mark is queued.
     *
     * @param low resume reading at or below this many queued bytes; 0 or more
     * @param high pause reading above this many queued bytes; at least {@code low}
     *     ({@code Integer.MAX_VALUE} in effect turns the bound off, as in Python)
     * @throws IllegalArgumentException if {@code low} is negative or above {@code high}
     */
    public void setWaterMarks(int low, int high) {
        WaterMarks.check(low, high);
        lowWaterMark = low;
        highWaterMark = high;
        pauseReading(pendingBytes() > high);
    }

    /** True while reading is paused because more than {@link #highWaterMark()} bytes wait to be sent. */
    public boolean isReadPaused() {
        return readPaused;
    }

    /** Pauses or resumes reading, telling the loop when that changes. */
    private void pauseReading(boolean pause) {
        if (pause != readPaused) {
            readPaused = pause;
            interestChanged();
        }
    }

    /**
     * False while more than {@link #highWaterMark()} bytes wait to be sent (until the queue drains to
     * {@link #lowWaterMark()}), and after {@link #closeWhenDone()}; true otherwise, as in Python.
     */
    @Override
    @InterestAnnounced
    public boolean readable() {
        return !readPaused && !closeWhenDone;
    }

    // ---------------------------------------------------------------- sending

    /**
     * Sends up to 65536 queued bytes, as many as the kernel takes now: Python's {@code initiate_send}.
     * Once the queue is empty after {@link #closeWhenDone()}, closes the dispatcher.
     */
    public void initiateSend() throws IOException {
        ByteBuffer out = outBuffer;
        if (out == null) {
            closeIfDone();
            return;
        }
        int limit = out.limit();
        out.limit(Math.min(limit, out.position() + SEND_CHUNK));
        try {
            super.send(out);
        } finally {
            out.limit(limit);
        }
        if (outBuffer != out) {
            return; // closed meanwhile (the peer went away)
        }
        if (peerWentAway()) {
            // handleClose() ran and left us open: the bytes can never arrive, and the write event
            // would repeat on every pass (Python spins here). Drop them.
            close();
            return;
        }
        if (!out.hasRemaining()) {
            outBuffer = null;
            interestChanged();
            pauseReading(false);
            closeIfDone();
        } else if (readPaused) {
            pauseReading(WaterMarks.paused(true, out.remaining(), lowWaterMark, highWaterMark));
        }
    }

    /** Sends queued bytes. */
    @Override
    public void handleWrite() throws IOException {
        initiateSend();
    }

    /**
     * True while not connected (to learn when the connect completes), while bytes wait to be sent,
     * or while a {@link #closeWhenDone()} waits for its write event.
     */
    @Override
    @InterestAnnounced
    public boolean writable() {
        return !isConnected() || outBuffer != null || closeWhenDone;
    }

    /** The capacity of the queue's buffer, 0 when none is held. For tests. */
    int queueCapacity() {
        return outBuffer == null ? 0 : outBuffer.capacity();
    }

    /** The number of bytes queued and not yet handed to the kernel. */
    public int pendingBytes() {
        return outBuffer == null ? 0 : outBuffer.remaining();
    }

    /**
     * Queues {@code data} and sends what the kernel takes now.
     *
     * @return {@code data.length}: every byte is taken (Python's version returns {@code None})
     * @throws IllegalStateException if the dispatcher was closed, or after {@link #closeWhenDone()}
     */
    @Override
    public int send(byte[] data) throws IOException {
        return send(ByteBuffer.wrap(data));
    }

    /**
     * {@link #send(byte[])} from a buffer, which is consumed whole (its bytes are copied if they must
     * wait). Going above {@link #highWaterMark()} pauses reading; the bytes are still all taken.
     */
    @Override
    public int send(ByteBuffer data) throws IOException {
        int length = data.remaining();
        if (isDebug()) {
            logInfo("sending " + length + " bytes", "info");
        }
        requireOpen("send()"); // before queueing: bytes queued on a closed dispatcher would be lost
        if (closeWhenDone) {
            throw new IllegalStateException("send() after closeWhenDone(): the socket closes once the queued bytes "
                    + "are sent, so these would never go out; send everything before calling closeWhenDone()");
        }
        if (outBuffer == null) {
            // Nothing queued: send straight from the caller's bytes and copy only what is left.
            int limit = data.limit();
            data.limit(data.position() + Math.min(length, SEND_CHUNK));
            try {
                super.send(data);
            } finally {
                data.limit(limit);
            }
            if (data.hasRemaining() && !isClosed()) {
                outBuffer = ByteBuffer.allocate(Math.max(data.remaining(), 4096)).put(data).flip();
                interestChanged();
            }
        } else {
            append(data);
        }
        data.position(data.limit());
        if (outBuffer != null && !readPaused) {
            pauseReading(WaterMarks.paused(false, outBuffer.remaining(), lowWaterMark, highWaterMark));
        }
        return length;
    }

    /**
     * Closes the dispatcher once every queued byte is sent (asynchat's {@code close_when_done}, which
     * Python's {@code dispatcher_with_send} lacks). Reading stops at once, {@link #send} refuses
     * more, and with nothing queued the close happens on the next write event. Calling it again
     * does nothing. A peer that never reads keeps the connection open: pair it with a timer
     * ({@link SocketMap#callLater}) where that matters.
     */
    public void closeWhenDone() {
        if (closeWhenDone || isClosed()) {
            return;
        }
        closeWhenDone = true;
        interestChanged();
    }

    /** True once {@link #closeWhenDone()} was called. */
    public boolean isCloseWhenDone() {
        return closeWhenDone;
    }

    private void closeIfDone() {
        if (closeWhenDone && outBuffer == null) {
            close();
        }
    }

    /**
     * Closes now, as Python does: bytes still queued are dropped. Use {@link #closeWhenDone()} to
     * send them first.
     */
    @Override
    public void close() {
        ByteBuffer out = outBuffer;
        outBuffer = null;
        readPaused = false;
        closeWhenDone = false;
        if (out != null && out.hasRemaining()) {
            if (isDebug()) {
                logInfo("closing with " + out.remaining() + " queued bytes unsent", "info");
            }
            LoopEvents.outputDiscarded(this, out.remaining());
        }
        super.close();
    }

    /** Gives up the queued bytes, which go out in plaintext before the TLS handshake (STARTTLS). */
    @Override
    protected ByteBuffer takePlaintextBeforeTls() {
        ByteBuffer out = outBuffer;
        outBuffer = null;
        if (out != null) {
            interestChanged();
            pauseReading(false);
        }
        return out;
    }

    /**
     * Appends behind the queued bytes: in place while there is room at the end, after moving the
     * queued bytes to the front while they fill at most half the buffer, else into a buffer twice
     * what is needed. So the buffer stays within twice the largest queue it held.
     */
    private void append(ByteBuffer data) {
        ByteBuffer out = outBuffer;
        int add = data.remaining();
        if (out.capacity() - out.limit() < add) {
            long need = (long) out.remaining() + add;
            if (need > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("more than 2 GiB queued to send on " + this
                        + ": the peer does not read; close() it, or send less while pendingBytes() is high");
            }
            if (2 * need <= out.capacity()) {
                out.compact().flip();
            } else {
                out = ByteBuffer.allocate((int) Math.min(2 * need, Integer.MAX_VALUE - 8)).put(out).flip();
            }
        }
        int position = out.position();
        out.position(out.limit()).limit(out.capacity());
        out.put(data);
        out.limit(out.position()).position(position);
        outBuffer = out;
    }
}
