package io.asyncore.chat;

import io.asyncore.Dispatcher;
import io.asyncore.SocketMap;
import io.asyncore.internal.InterestAnnounced;
import io.asyncore.internal.LoopEvents;
import io.asyncore.internal.WaterMarks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * A {@link Dispatcher} that splits incoming bytes into messages at a terminator and queues
 * outgoing data: Python's {@code asynchat.async_chat}.
 *
 * <p>Incoming: each read event reads up to {@link #acInBufferSize()} bytes and hands them to
 * {@link #collectIncomingData(byte[])} piece by piece; where the {@linkplain #setTerminator
 * terminator} is found, {@link #foundTerminator()} is called. A terminator is a byte string
 * (found even when it is split over several reads), a byte count (it counts down as data arrives
 * and is 0 once reached), or {@link Terminator#NONE} (everything until the peer closes). The
 * terminator is read again after every message, so one set inside {@code foundTerminator()}
 * applies to the rest of the same read. Data in front of a partial terminator match is handed
 * over at once; only the bytes that may begin the terminator are held back.
 *
 * <p>Outgoing: {@link #push(byte[])} queues data (in {@link #acOutBufferSize()} pieces),
 * {@link #pushWithProducer(Producer)} queues a producer, {@link #closeWhenDone()} queues a close;
 * each write event sends one piece ({@link #initiateSend()}). A {@link ZeroCopyProducer} sends its
 * data itself, straight to the socket. The loop asks for write events only while something is
 * queued (or the connect is pending), so an idle chat costs nothing per pass.
 *
 * <pre>{@code
 * class EchoLine extends AsyncChat {
 *     EchoLine(SocketChannel sock) { super(sock); setTerminator("\r\n"); }
 *     public void foundTerminator() throws IOException {
 *         byte[] line = takeIncomingData();   // what collectIncomingData gathered
 *         push(line);
 *         push("\r\n");
 *     }
 * }
 * }</pre>
 *
 * <h2>Threading</h2>
 * Like every {@link Dispatcher}, an AsyncChat belongs to its map's loop thread; reach it from
 * other threads with {@link SocketMap#execute(Runnable)}.
 *
 * <h2>Errors</h2>
 * What a handler throws reaches {@link #handleError(Throwable)} (by default: log, then close).
 * A peer that sends more than {@link #maxIncomingSize()} bytes of one message without its
 * terminator gets a {@link MessageTooLargeException} passed to {@code handleError}, and the channel
 * is closed even if {@code handleError} was overridden not to. Misuse fails at once:
 * {@code push} after {@link #closeWhenDone()} throws {@link IllegalStateException}, null data
 * {@link NullPointerException}, a negative count {@link IllegalArgumentException}.
 *
 * <h2>Differences from Python</h2>
 * <ul>
 *   <li>Before the first {@code setTerminator} the terminator is {@link Terminator#NONE} (Python
 *       has none at all: the first read fails with {@code AttributeError}).
 *   <li>{@link #collectIncomingData(byte[])} by default buffers the data for
 *       {@link #takeIncomingData()} (Python's {@code _collect_incoming_data}/{@code _get_data});
 *       Python's default raises {@code NotImplementedError}.
 *   <li>{@code setTerminator(String)} and {@code push(String)} encode with {@link #encoding()},
 *       ISO-8859-1 unless set (Python's {@code latin-1}); there is no {@code use_encoding} switch,
 *       since the Java types tell bytes and text apart.
 *   <li>A maximum incoming size per message (see above); Python buffers without bound.
 *   <li>The terminator search never looks at a byte twice, so a long line arriving a byte at a
 *       time costs linear time (Python rescans the held-back bytes on every read).
 *   <li>A count terminator is counted down before {@code collectIncomingData} is called, so a new
 *       terminator set inside that call wins.
 *   <li>{@code push} after {@code closeWhenDone()} fails; {@code push} on a closed chat is ignored
 *       (Python queues data that can never be sent). {@link #close()} drops the output queue and
 *       closes producers that are {@link AutoCloseable}.
 *   <li>Bounded output: above {@link #highWaterMark()} queued bytes (64 KiB by default) the chat
 *       stops reading, and it reads again once the queue drains to {@link #lowWaterMark()} (16 KiB).
 *       So a peer that sends requests and never reads the answers cannot grow the queue past the
 *       high mark plus what one read's messages push. A producer's data counts once it is asked
 *       for it. Python always reads. A subclass that overrides {@code readable()} keeps the bound
 *       by answering {@code super.readable() && ...}.
 *   <li>{@link #initiateSend()} makes one send per call, as Python does, but that send gathers the
 *       consecutive queued buffers at the head of the queue, up to {@link #acOutBufferSize()} bytes;
 *       Python sends one queued item per call.
 *   <li>While {@link #handleRead()} parses a read, {@code push} only queues; what the read's
 *       messages pushed is sent together when parsing ends (Python sends on every push). A
 *       {@link #close()} in between first sends what the kernel takes, as Python's pushes would have.
 * </ul>
 */
public abstract class AsyncChat extends Dispatcher {
    /** Python's {@code ac_in_buffer_size} and {@code ac_out_buffer_size}. */
    public static final int DEFAULT_BUFFER_SIZE = 65536;
    /** The default {@link #highWaterMark()}: 64 KiB, as {@link io.asyncore.DispatcherWithSend}'s. */
    public static final int DEFAULT_HIGH_WATER_MARK = WaterMarks.DEFAULT_HIGH;
    /** The default {@link #lowWaterMark()}: 16 KiB. */
    public static final int DEFAULT_LOW_WATER_MARK = WaterMarks.DEFAULT_LOW;
    /** The default {@link #maxIncomingSize()}: 4 MiB. */
    public static final long DEFAULT_MAX_INCOMING_SIZE = 4L << 20;

    /** The terminator search and the default collectIncomingData's buffer. */
    private final InputScanner input = new InputScanner(this);
    /** Pushed data, producers, a pending close, and the water marks. */
    private final OutputQueue output = new OutputQueue(this);
    private int acInBufferSize = DEFAULT_BUFFER_SIZE;
    private Charset encoding = StandardCharsets.ISO_8859_1;
    /**
     * True while {@link #handleRead()} parses one read: pushes only queue, and everything the read's
     * messages pushed goes out in one gathering send when parsing ends, instead of a system call per
     * push. {@link #close()} meanwhile first sends what the kernel takes.
     */
    private boolean holdSends;

    /** A chat with no socket yet, in the global map once it gets one. */
    public AsyncChat() {
        this(null, null);
    }

    /** A chat with no socket yet, in {@code map} once it gets one. */
    public AsyncChat(SocketMap map) {
        this(null, map);
    }

    /** A chat serving {@code sock} (typically an accepted connection) in the global map. */
    public AsyncChat(NetworkChannel sock) {
        this(sock, null);
    }

    /**
     * A chat serving {@code sock} in {@code map}; see {@link Dispatcher#Dispatcher(NetworkChannel, SocketMap)}.
     *
     * @param sock the connection, or {@code null} for none yet
     * @param map the map to join; {@code null} means the global map
     */
    public AsyncChat(NetworkChannel sock, SocketMap map) {
        super(sock, map);
    }

    // ---------------------------------------------------------------- settings

    /** Bytes read per read event at most (Python's {@code ac_in_buffer_size}); 65536 by default. */
    public int acInBufferSize() {
        return acInBufferSize;
    }

    /** Sets {@link #acInBufferSize()}; must be at least 1. */
    public void setAcInBufferSize(int size) {
        this.acInBufferSize = positive(size, "acInBufferSize");
    }

    /**
     * Bytes sent per write event at most, and the piece size {@link #push(byte[])} splits data into
     * (Python's {@code ac_out_buffer_size}); 65536 by default.
     */
    public int acOutBufferSize() {
        return output.pieceSize;
    }

    /** Sets {@link #acOutBufferSize()}; must be at least 1. Applies to what is queued already, too. */
    public void setAcOutBufferSize(int size) {
        output.pieceSize = positive(size, "acOutBufferSize");
    }

    /** The charset of {@code setTerminator(String)} and {@code push(String)}: ISO-8859-1 (Python's latin-1) by default. */
    public Charset encoding() {
        return encoding;
    }

    /** Sets {@link #encoding()}. A terminator set earlier keeps its bytes. */
    public void setEncoding(Charset encoding) {
        this.encoding = Objects.requireNonNull(encoding, "encoding");
    }

    /**
     * The most bytes one message may have while its byte-string terminator has not arrived: the
     * bytes handed to {@link #collectIncomingData(byte[])} since the last {@link #foundTerminator()}.
     * 4 MiB by default. Count terminators (which bound themselves) and {@link Terminator#NONE}
     * (everything until close, on purpose) are not limited.
     */
    public long maxIncomingSize() {
        return input.maxIncomingSize;
    }

    /** Sets {@link #maxIncomingSize()}; at least 1 ({@code Long.MAX_VALUE} for no limit). */
    public void setMaxIncomingSize(long size) {
        if (size < 1) {
            throw new IllegalArgumentException("maxIncomingSize < 1: " + size + " (use Long.MAX_VALUE for no limit)");
        }
        input.maxIncomingSize = size;
    }

    /** Above this many queued bytes the chat stops reading; 64 KiB unless set. See the class comment. */
    public int highWaterMark() {
        return output.highWaterMark();
    }

    /** Once reading paused, it resumes when no more than this many bytes are queued; 16 KiB unless set. */
    public int lowWaterMark() {
        return output.lowWaterMark();
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
        output.setWaterMarks(low, high);
    }

    /** Bytes of pushed data queued and not yet handed to the kernel (a producer's data counts once it is asked for it). */
    public long pendingBytes() {
        return output.queuedBytes();
    }

    /** True while reading is paused because more than {@link #highWaterMark()} bytes wait to be sent. */
    public boolean isReadPaused() {
        return output.readPaused();
    }

    // ---------------------------------------------------------------- terminator

    /**
     * Sets what ends the next message. Takes effect at once, also for the rest of a read that is
     * being parsed (set it from {@link #foundTerminator()} to switch between framings).
     *
     * @throws NullPointerException if {@code terminator} is null (use {@link Terminator#NONE})
     */
    public void setTerminator(Terminator terminator) {
        Objects.requireNonNull(terminator, "terminator is null; use Terminator.NONE to read until the peer closes");
        input.setTerminator(terminator);
    }

    /** Sets a byte-string terminator (copied); an empty array means {@link Terminator#NONE}. */
    public void setTerminator(byte[] terminator) {
        Objects.requireNonNull(terminator, "terminator is null; use setTerminator(Terminator.NONE) to read until the peer closes");
        if (!input.isTerminator(terminator)) { // the same one again: nothing to copy or reset
            setTerminator(Terminator.of(terminator));
        }
    }

    /** Sets a terminator given as text, encoded in {@link #encoding()} (ISO-8859-1 unless set). */
    public void setTerminator(String terminator) {
        Objects.requireNonNull(terminator, "terminator is null; use setTerminator(Terminator.NONE) to read until the peer closes");
        setTerminator(terminator.getBytes(encoding));
    }

    /**
     * Sets a count terminator: the next {@code count} bytes are the message.
     *
     * @throws IllegalArgumentException if {@code count} is negative
     */
    public void setTerminator(int count) {
        setTerminator(Terminator.count(count));
    }

    /**
     * The current terminator ({@link Terminator#NONE} until one is set). A count terminator counts
     * down as data arrives: after its message it is {@code count(0)}.
     */
    public Terminator getTerminator() {
        return input.terminator();
    }

    // ---------------------------------------------------------------- incoming

    /**
     * Receives part of the current message. Called on the loop thread, never with an empty
     * array. The default buffers it for {@link #takeIncomingData()}.
     */
    public void collectIncomingData(byte[] data) throws IOException {
        input.buffer(data);
    }

    /**
     * Returns what the default {@link #collectIncomingData(byte[])} gathered and empties the
     * buffer (Python's {@code _get_data}).
     */
    protected byte[] takeIncomingData() {
        return input.takeBuffered();
    }

    /** The terminator of the current message arrived. Called on the loop thread. */
    public abstract void foundTerminator() throws IOException;

    /**
     * Reads what is available (up to {@link #acInBufferSize()} bytes) and splits it at the
     * terminator. At end of stream {@link #handleClose()} has run and bytes held back as a possible
     * terminator start are not delivered, as in Python.
     */
    @Override
    public void handleRead() throws IOException {
        byte[] data;
        try {
            data = recv(acInBufferSize);
        } catch (IOException e) {
            handleError(e);
            return;
        }
        if (data.length > 0) {
            holdSends = true;
            try {
                parse(data);
            } finally {
                holdSends = false;
            }
            if (output.pending()) {
                initiateSend(); // what the read's messages pushed, in one gathering send
            }
        }
    }

    /** The parsing half of {@link #handleRead()}: asynchat.py's {@code handle_read} loop. */
    void parse(byte[] data) throws IOException {
        input.parse(data);
    }

    /** Terminator search steps so far (bytes looked at plus fall-backs), for the linear-time test. */
    long scanSteps() {
        return input.scanSteps;
    }

    // ---------------------------------------------------------------- outgoing

    /**
     * Queues {@code data} (copied, in {@link #acOutBufferSize()} pieces) and sends what the socket
     * takes now. On a closed chat it does nothing: the peer is gone.
     *
     * @throws NullPointerException if {@code data} is null
     * @throws IllegalStateException after {@link #closeWhenDone()}
     */
    public void push(byte[] data) throws IOException {
        Objects.requireNonNull(data, "push(null): data is null; push an empty array to send nothing");
        if (output.add(data) && !holdSends) {
            initiateSend();
        }
    }

    /** {@link #push(byte[])} of {@code text} encoded in {@link #encoding()}. */
    public void push(String text) throws IOException {
        Objects.requireNonNull(text, "push(null): text is null; push an empty string to send nothing");
        push(text.getBytes(encoding));
    }

    /**
     * Queues a producer, asked for data only as the socket takes it, and sends what the socket takes
     * now. A {@link ZeroCopyProducer} (such as a {@link FileProducer}) sends its data itself,
     * straight to the socket, instead of being asked for it.
     *
     * @throws NullPointerException if {@code producer} is null
     * @throws IllegalStateException after {@link #closeWhenDone()}
     */
    public void pushWithProducer(Producer producer) throws IOException {
        Objects.requireNonNull(producer, "pushWithProducer(null): producer is null");
        if (output.add(producer) && !holdSends) {
            initiateSend();
        }
    }

    /**
     * Closes the chat once everything queued so far is sent (Python's {@code close_when_done}):
     * {@link #handleClose()} runs on the write event after the one that sent the last byte. Nothing
     * may be pushed after it. Calling it again does nothing.
     */
    public void closeWhenDone() {
        output.closeWhenDone();
    }

    /**
     * Sends one piece of queued output, as much as the socket takes now: Python's
     * {@code initiate_send}. Producers at the head are asked for data until one yields some; at most
     * one send happens per call. Does nothing while not connected. A send failure other than the
     * peer going away goes to {@link #handleError(Throwable)}.
     */
    public void initiateSend() throws IOException {
        output.sendNext();
    }

    /**
     * Drops all buffered input and all queued output, a pending {@link #closeWhenDone()} included
     * (Python's {@code discard_buffers}). Dropped producers that are {@link AutoCloseable} are closed.
     */
    public void discardBuffers() {
        input.discard();
        output.discard();
    }

    /**
     * Switches to TLS, as {@link Dispatcher#startTls(SSLEngine, Duration)}, with the checks STARTTLS
     * needs. Output pushed before this call (the reply that announces TLS) goes out in plaintext
     * first. Input received in plaintext after the command that started TLS and not yet handed to
     * {@link #foundTerminator()} (a peer that sent {@code STARTTLS\r\nINJECTED\r\n} in one
     * packet) would otherwise be taken as if it came through TLS: it is discarded and this throws,
     * so the connection fails (CVE-2011-0411 is this bug in mail servers).
     *
     * @throws SSLException if plaintext input follows the command that started TLS
     * @throws IllegalStateException if a producer is still queued
     */
    @Override
    public void startTls(SSLEngine engine, Duration handshakeTimeout) throws IOException {
        int unread = input.unscanned();
        if (unread > 0) {
            input.discard();
            throw new SSLException(unread + " bytes of plaintext arrived after the command that started TLS, before "
                    + "the handshake: refusing them (they could be an injected command) and failing the connection");
        }
        super.startTls(engine, handshakeTimeout);
    }

    /** Gives up the queued bytes, which go out in plaintext before the TLS handshake. */
    @Override
    protected ByteBuffer takePlaintextBeforeTls() {
        return output.takeBytes();
    }

    /** Sends queued output. */
    @Override
    public void handleWrite() throws IOException {
        initiateSend();
    }

    /** The peer closed or went away: {@link #close()}, without the base class's log line (as in Python). */
    @Override
    public void handleClose() {
        close();
    }

    /**
     * Closes the socket and drops the output queue, closing producers that are {@link AutoCloseable},
     * as Python does. {@link #closeWhenDone()} sends the queue first.
     */
    @Override
    public void close() {
        if (holdSends) {
            holdSends = false;
            output.flush();
        }
        if (!isClosed()) {
            LoopEvents.outputDiscarded(this, output.queuedBytes());
        }
        super.close();
        output.drop();
    }

    /**
     * False while more than {@link #highWaterMark()} bytes of output are queued, until the queue
     * drains to {@link #lowWaterMark()}; true otherwise. Python's is always true: a peer that sends
     * requests and never reads the answers would make the queue grow without bound.
     */
    @Override
    @InterestAnnounced
    public boolean readable() {
        return !output.readPaused();
    }

    /** True while output is queued, or while not connected (to learn when a connect completes). */
    @Override
    @InterestAnnounced
    public boolean writable() {
        return output.pending() || !isConnected();
    }

    // ---------------------------------------------------------------- helpers

    /**
     * The length of the longest proper prefix of {@code needle} that {@code haystack} ends with:
     * Python's {@code find_prefix_at_end}. Always 0 for a needle of one byte or none (Python gives
     * -1 for an empty needle). Undefined, as in Python, if {@code haystack} contains {@code needle}.
     */
    public static int findPrefixAtEnd(byte[] haystack, byte[] needle) {
        for (int l = Math.min(needle.length - 1, haystack.length); l > 0; l--) {
            if (Arrays.equals(haystack, haystack.length - l, haystack.length, needle, 0, l)) {
                return l;
            }
        }
        return 0;
    }

    /** The output queue's way to {@link #interestChanged()}: its changes alter readable() and writable(). */
    void outputInterestChanged() {
        interestChanged();
    }

    private static int positive(int size, String name) {
        if (size < 1) {
            throw new IllegalArgumentException(name + " < 1: " + size);
        }
        return size;
    }
}
