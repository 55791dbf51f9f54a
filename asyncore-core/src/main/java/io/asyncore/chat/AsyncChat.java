package io.asyncore.chat;

import io.asyncore.Dispatcher;
import io.asyncore.SocketMap;
import io.asyncore.internal.InterestAnnounced;
import io.asyncore.internal.WaterMarks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;

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
 * each write event sends one piece ({@link #initiateSend()}). The loop asks for write events only
 * while something is queued (or the connect is pending), so an idle chat costs nothing per pass.
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

    private static final System.Logger LOGGER = System.getLogger("io.asyncore");
    private static final byte[] EMPTY = new byte[0];
    /** Python's {@code None} in the producer fifo: close once everything before it is sent. */
    private static final Object CLOSE_WHEN_DONE = new Object() {
        @Override
        public String toString() {
            return "closeWhenDone";
        }
    };

    private int acInBufferSize = DEFAULT_BUFFER_SIZE;
    private int acOutBufferSize = DEFAULT_BUFFER_SIZE;
    private Charset encoding = StandardCharsets.ISO_8859_1;
    private long maxIncomingSize = DEFAULT_MAX_INCOMING_SIZE;

    // ---- input. The unparsed bytes are held[heldOff..heldOff+heldLen) followed by in[inPos..].
    private Terminator terminator = Terminator.NONE;
    /** What is left of a count terminator. */
    private long countLeft;
    /** Bytes held back between reads: a slice of a terminator's own array, never of a read. */
    private byte[] held;
    private int heldOff;
    private int heldLen;
    /** The terminator whose first heldLen bytes are held (so its search resumes there), or null. */
    private Terminator heldFor;
    /** The read being parsed, only during parse(). */
    private byte[] in;
    private int inPos;
    /** Bytes handed over under a byte-string terminator since the last foundTerminator(). */
    private long messageSize;
    /** The default collectIncomingData's buffer; null while empty. */
    private byte[] incoming;
    private int incomingLength;
    /** Terminator search steps (bytes looked at plus fall-backs), for the linear-time test. */
    long scanSteps;

    // ---- output
    /** ByteBuffers, Producers and CLOSE_WHEN_DONE; null while empty. */
    private ArrayDeque<Object> fifo;
    private boolean closeRequested;
    private boolean announcedPending;

    /** Bytes of data in the queue (producers' future data not counted). */
    private long queuedBytes;
    private int lowWaterMark = DEFAULT_LOW_WATER_MARK;
    private int highWaterMark = DEFAULT_HIGH_WATER_MARK;
    /** True from crossing the high-water mark until draining to the low one. */
    private boolean readPaused;

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
        return acOutBufferSize;
    }

    /** Sets {@link #acOutBufferSize()}; must be at least 1. Applies to what is queued already, too. */
    public void setAcOutBufferSize(int size) {
        this.acOutBufferSize = positive(size, "acOutBufferSize");
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
        return maxIncomingSize;
    }

    /** Sets {@link #maxIncomingSize()}; at least 1 ({@code Long.MAX_VALUE} for no limit). */
    public void setMaxIncomingSize(long size) {
        if (size < 1) {
            throw new IllegalArgumentException("maxIncomingSize < 1: " + size + " (use Long.MAX_VALUE for no limit)");
        }
        this.maxIncomingSize = size;
    }

    /** Above this many queued bytes the chat stops reading; 64 KiB unless set. See the class comment. */
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
        pauseReading(queuedBytes > high);
    }

    /** Bytes of pushed data queued and not yet handed to the kernel (a producer's data counts once it is asked for it). */
    public long pendingBytes() {
        return queuedBytes;
    }

    /** True while reading is paused because more than {@link #highWaterMark()} bytes wait to be sent. */
    public boolean isReadPaused() {
        return readPaused;
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
        if (!(terminator.isBytes() && terminator.equals(this.terminator))) {
            this.terminator = terminator; // keep an equal one: its search state stays valid
        }
        countLeft = terminator.isCount() ? terminator.count : 0;
    }

    /** Sets a byte-string terminator (copied); an empty array means {@link Terminator#NONE}. */
    public void setTerminator(byte[] terminator) {
        Objects.requireNonNull(terminator, "terminator is null; use setTerminator(Terminator.NONE) to read until the peer closes");
        if (this.terminator.isBytes() && Arrays.equals(this.terminator.bytes, terminator)) {
            countLeft = 0;
            return;
        }
        setTerminator(Terminator.of(terminator));
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
        Terminator t = terminator;
        return t.isCount() && countLeft != t.count ? Terminator.count(countLeft) : t;
    }

    // ---------------------------------------------------------------- incoming

    /**
     * Receives part of the current message. Called on the loop thread, never with an empty
     * array. The default buffers it for {@link #takeIncomingData()}.
     */
    public void collectIncomingData(byte[] data) throws IOException {
        if (data.length > Integer.MAX_VALUE - 8 - incomingLength) {
            throw new IllegalStateException("the message has grown past 2 GiB, more than one array holds; "
                    + "override collectIncomingData(byte[]) to process or store it as it arrives");
        }
        int need = incomingLength + data.length;
        if (incoming == null || need > incoming.length) {
            int capacity = Math.max(need, incoming == null ? 256 : (int) Math.min(Integer.MAX_VALUE - 8, 2L * incoming.length));
            incoming = incoming == null ? new byte[capacity] : Arrays.copyOf(incoming, capacity);
        }
        System.arraycopy(data, 0, incoming, incomingLength, data.length);
        incomingLength = need;
    }

    /**
     * Returns what the default {@link #collectIncomingData(byte[])} gathered and empties the
     * buffer (Python's {@code _get_data}).
     */
    protected byte[] takeIncomingData() {
        byte[] out = incoming == null ? EMPTY
                : incoming.length == incomingLength ? incoming : Arrays.copyOf(incoming, incomingLength);
        incoming = null;
        incomingLength = 0;
        return out;
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
            if (fifo != null && !fifo.isEmpty()) {
                initiateSend(); // what the read's messages pushed, in one gathering send
            }
        }
    }

    /** The parsing half of {@link #handleRead()}: asynchat.py's {@code handle_read} loop. */
    void parse(byte[] data) throws IOException {
        if (in != null) {
            throw new IllegalStateException("handleRead() called from inside collectIncomingData() or "
                    + "foundTerminator(); the loop calls it again on the next read event, so just return");
        }
        in = data;
        inPos = 0;
        try {
            while (available() > 0) {
                Terminator t = terminator; // again every time: foundTerminator() may change it
                int lb = available();
                if (t.isCount() && countLeft > 0) {
                    long n = countLeft;
                    if (lb < n) {
                        countLeft = n - lb;
                        collect(take(lb), t);
                    } else {
                        countLeft = 0;
                        if (collect(take((int) n), t)) {
                            found();
                        }
                    }
                } else if (!t.isBytes()) {
                    collect(take(lb), t); // none, or a count that reached 0
                } else if (!search(t, lb)) {
                    break;
                }
            }
        } finally {
            in = null;
            inPos = 0;
        }
    }

    /**
     * Looks for {@code t} in the unparsed bytes, resuming where the previous read's search stopped
     * when the held bytes are the start of this same terminator (so no byte is looked at twice).
     *
     * @return false when the rest is held back as a possible start of the terminator
     */
    private boolean search(Terminator t, int lb) throws IOException {
        byte[] pat = t.bytes;
        int[] fail = t.fail;
        int state = 0;
        int i = 0;
        if (heldLen > 0 && heldFor == t) {
            state = heldLen;
            i = heldLen;
        }
        long steps = 0;
        int matchEnd = -1;
        for (; i < lb; i++) {
            byte b = i < heldLen ? held[heldOff + i] : in[inPos + i - heldLen];
            while (state > 0 && pat[state] != b) {
                state = fail[state - 1];
                steps++;
            }
            steps++;
            if (pat[state] == b && ++state == pat.length) {
                matchEnd = i + 1;
                break;
            }
        }
        scanSteps += steps;
        if (matchEnd >= 0) {
            int before = matchEnd - pat.length;
            byte[] data = before > 0 ? take(before) : null; // never report empty data
            consume(pat.length);
            if (data == null || collect(data, t)) {
                found();
            }
            return true;
        }
        if (state == 0) {
            collect(take(lb), t);
            return true;
        }
        // The last `state` bytes are pat[0..state): hold them by reference to the terminator.
        byte[] data = state != lb ? take(lb - state) : null;
        held = pat;
        heldOff = 0;
        heldLen = state;
        heldFor = t;
        in = null;
        inPos = 0;
        if (data != null) {
            collect(data, t);
        }
        return false;
    }

    private int available() {
        return heldLen + (in == null ? 0 : in.length - inPos);
    }

    /** Removes and returns the first n unparsed bytes; the whole read itself when it is exactly that. */
    private byte[] take(int n) {
        if (heldLen == 0 && inPos == 0 && in != null && n == in.length) {
            inPos = n;
            return in;
        }
        byte[] out = new byte[n];
        int h = Math.min(n, heldLen);
        if (h > 0) {
            System.arraycopy(held, heldOff, out, 0, h);
        }
        if (n > h) {
            System.arraycopy(in, inPos, out, h, n - h);
        }
        consume(n);
        return out;
    }

    private void consume(int n) {
        int h = Math.min(n, heldLen);
        if (h > 0) {
            heldOff += h;
            heldLen -= h;
            heldFor = null; // what is left no longer starts at the terminator's beginning
            if (heldLen == 0) {
                held = null;
                heldOff = 0;
            }
        }
        inPos += n - h;
    }

    /** Hands data to collectIncomingData, enforcing the size limit; false if the limit closed the chat. */
    private boolean collect(byte[] data, Terminator t) throws IOException {
        if (t.isBytes()) {
            if (data.length > maxIncomingSize - messageSize) {
                tooLarge(t);
                return false;
            }
            messageSize += data.length;
        }
        collectIncomingData(data);
        return true;
    }

    private void found() throws IOException {
        messageSize = 0;
        foundTerminator();
    }

    private void tooLarge(Terminator t) {
        MessageTooLargeException e = new MessageTooLargeException(maxIncomingSize, t);
        discardInput();
        handleError(e);
        if (!isClosed()) {
            close();
        }
    }

    private void discardInput() {
        held = null;
        heldOff = 0;
        heldLen = 0;
        heldFor = null;
        in = null;
        inPos = 0;
        messageSize = 0;
        incoming = null;
        incomingLength = 0;
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
        if (!acceptsOutput("push()")) {
            return;
        }
        ArrayDeque<Object> q = queue();
        int obs = acOutBufferSize;
        if (data.length > obs) {
            for (int i = 0; i < data.length; i += obs) {
                q.addLast(ByteBuffer.wrap(Arrays.copyOfRange(data, i, Math.min(data.length, i + obs))));
            }
        } else {
            q.addLast(ByteBuffer.wrap(data.clone()));
        }
        queuedBytes += data.length;
        queueChanged();
        if (!holdSends) {
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
     * now. A {@link FileProducer} is sent straight from the file (zero copy).
     *
     * @throws NullPointerException if {@code producer} is null
     * @throws IllegalStateException after {@link #closeWhenDone()}
     */
    public void pushWithProducer(Producer producer) throws IOException {
        Objects.requireNonNull(producer, "pushWithProducer(null): producer is null");
        if (!acceptsOutput("pushWithProducer()")) {
            closeQuietly(producer);
            return;
        }
        queue().addLast(producer);
        queueChanged();
        if (!holdSends) {
            initiateSend();
        }
    }

    /**
     * Closes the chat once everything queued so far is sent (Python's {@code close_when_done}):
     * {@link #handleClose()} runs on the write event after the one that sent the last byte. Nothing
     * may be pushed after it. Calling it again does nothing.
     */
    public void closeWhenDone() {
        if (closeRequested || isClosed()) {
            return;
        }
        closeRequested = true;
        queue().addLast(CLOSE_WHEN_DONE);
        queueChanged();
    }

    /**
     * Sends one piece of queued output, as much as the socket takes now: Python's
     * {@code initiate_send}. Producers at the head are asked for data until one yields some; at most
     * one send happens per call. Does nothing while not connected. A send failure other than the
     * peer going away goes to {@link #handleError(Throwable)}.
     */
    public void initiateSend() throws IOException {
        try {
            while (fifo != null && !fifo.isEmpty() && isConnected()) {
                ArrayDeque<Object> q = fifo;
                Object first = q.peekFirst();
                if (first == CLOSE_WHEN_DONE) {
                    q.pollFirst();
                    queueChanged();
                    handleClose();
                    return;
                }
                if (first instanceof FileProducer file) {
                    sendFrom(q, file);
                    return;
                }
                if (first instanceof Producer producer) {
                    byte[] data = producer.more();
                    if (fifo != q || q.peekFirst() != producer) {
                        return; // more() changed the queue (discardBuffers, close)
                    }
                    if (data != null && data.length > 0) {
                        q.addFirst(ByteBuffer.wrap(data));
                        queuedBytes += data.length;
                    } else {
                        q.pollFirst();
                        closeQuietly(producer);
                    }
                    continue;
                }
                sendFrom(q, (ByteBuffer) first);
                return;
            }
        } finally {
            queueChanged();
        }
    }

    private void sendFrom(ArrayDeque<Object> q, ByteBuffer data) {
        if (!data.hasRemaining()) {
            q.pollFirst(); // an empty push: Python spends a zero-length send on it
            return;
        }
        if (q.size() > 1 && data.remaining() < acOutBufferSize && gatherFrom(q)) {
            return;
        }
        int limit = data.limit();
        data.limit(Math.min(limit, data.position() + acOutBufferSize));
        try {
            sent(send(data));
        } catch (IOException e) {
            handleError(e);
            return;
        } finally {
            data.limit(limit);
        }
        if (!data.hasRemaining() && fifo == q && q.peekFirst() == data) {
            q.pollFirst();
        }
    }

    /**
     * True while {@link #handleRead()} parses one read: pushes only queue, and everything the read's
     * messages pushed goes out in one gathering send when parsing ends, instead of a system call per
     * push. {@link #close()} meanwhile first sends what the kernel takes.
     */
    private boolean holdSends;

    /** Buffers taken into one gathering send at most. */
    private static final int GATHER_MAX = 1024; // IOV_MAX on Linux: the most one writev takes

    /**
     * Sends the consecutive buffers at the head of the queue, up to {@link #acOutBufferSize()}
     * bytes in all, in one gathering write: still one send per call, as in Python, but a queue of
     * many small pushes (lines backed up behind a full kernel buffer) no longer costs a write event
     * per push. The last buffer taken may be cut at the size limit.
     *
     * @return false if fewer than two buffers lead the queue (the caller sends the head alone)
     */
    private boolean gatherFrom(ArrayDeque<Object> q) {
        ByteBuffer[] batch = new ByteBuffer[Math.min(q.size(), GATHER_MAX)];
        int n = 0;
        long room = acOutBufferSize; // bytes the batch may still take
        int lastTake = 0;
        for (Object item : q) {
            if (n == batch.length || room == 0 || !(item instanceof ByteBuffer b) || !b.hasRemaining()) {
                break;
            }
            batch[n++] = b;
            lastTake = (int) Math.min(room, b.remaining());
            room -= lastTake;
        }
        if (n < 2) {
            return false;
        }
        ByteBuffer last = batch[n - 1];
        int lastLimit = last.limit();
        last.limit(last.position() + lastTake);
        try {
            sent(send(batch, 0, n));
        } catch (IOException e) {
            handleError(e);
            return true;
        } finally {
            last.limit(lastLimit);
        }
        if (fifo == q) {
            for (int i = 0; i < n && !batch[i].hasRemaining() && q.peekFirst() == batch[i]; i++) {
                q.pollFirst();
            }
        }
        return true;
    }

    private void sendFrom(ArrayDeque<Object> q, FileProducer file) {
        try {
            if (file.remaining() > 0) {
                file.sendThrough(this, acOutBufferSize);
            }
        } catch (IOException e) {
            handleError(e);
            return;
        }
        if (file.remaining() == 0 && fifo == q && q.peekFirst() == file) {
            q.pollFirst();
            closeQuietly(file);
        }
    }

    /**
     * Drops all buffered input and all queued output, a pending {@link #closeWhenDone()} included
     * (Python's {@code discard_buffers}). Dropped producers that are {@link AutoCloseable} are closed.
     */
    public void discardBuffers() {
        discardInput();
        closeRequested = false;
        dropOutput();
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
            flushHeld();
        }
        super.close();
        dropOutput();
    }

    /**
     * Sends the queued data the kernel takes now, without blocking: what Python's immediate sends
     * would have handed it before a {@code close()} inside {@code foundTerminator}.
     */
    private void flushHeld() {
        ArrayDeque<Object> q = fifo;
        while (q != null && fifo == q && isConnected() && q.peekFirst() instanceof ByteBuffer head) {
            int items = q.size();
            int left = head.remaining();
            sendFrom(q, head);
            if (q.size() == items && head.remaining() == left) {
                return; // the kernel took nothing more
            }
        }
    }

    /**
     * False while more than {@link #highWaterMark()} bytes of output are queued, until the queue
     * drains to {@link #lowWaterMark()}; true otherwise. Python's is always true: a peer that sends
     * requests and never reads the answers would make the queue grow without bound.
     */
    @Override
    @InterestAnnounced
    public boolean readable() {
        return !readPaused;
    }

    /** True while output is queued, or while not connected (to learn when a connect completes). */
    @Override
    @InterestAnnounced
    public boolean writable() {
        return fifo != null || !isConnected();
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

    private boolean acceptsOutput(String what) {
        if (isClosed()) {
            return false;
        }
        if (closeRequested) {
            throw new IllegalStateException(what + " after closeWhenDone(): the channel closes once the queued "
                    + "output is sent, so this would never go out; push everything before calling closeWhenDone()");
        }
        return true;
    }

    private ArrayDeque<Object> queue() {
        if (fifo == null) {
            fifo = new ArrayDeque<>();
        }
        return fifo;
    }

    /** Releases an empty queue and tells the loop when writable() changed its answer. */
    private void queueChanged() {
        ArrayDeque<Object> q = fifo;
        boolean pending = q != null && !q.isEmpty();
        if (!pending) {
            fifo = null;
        }
        if (pending != announcedPending) {
            announcedPending = pending;
            interestChanged();
        }
        checkWaterMarks();
    }

    /** Counts bytes the kernel took from the queue. */
    private void sent(long bytes) {
        if (fifo != null) { // a send that met a gone peer closed the chat and dropped the queue
            queuedBytes = Math.max(0, queuedBytes - bytes);
        }
    }

    /** Pauses reading above the high-water mark, resumes at the low one. */
    private void checkWaterMarks() {
        pauseReading(WaterMarks.paused(readPaused, queuedBytes, lowWaterMark, highWaterMark));
    }

    /** Pauses or resumes reading, telling the loop when that changes. */
    private void pauseReading(boolean pause) {
        if (pause != readPaused) {
            readPaused = pause;
            interestChanged();
        }
    }

    private void dropOutput() {
        ArrayDeque<Object> q = fifo;
        fifo = null;
        queuedBytes = 0;
        if (q != null) {
            for (Object o : q) {
                closeQuietly(o);
            }
        }
        queueChanged();
    }

    private void closeQuietly(Object o) {
        if (o instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOGGER.log(System.Logger.Level.WARNING, "closing producer " + o + " of " + this + " failed", e);
            }
        }
    }

    private static int positive(int size, String name) {
        if (size < 1) {
            throw new IllegalArgumentException(name + " < 1: " + size);
        }
        return size;
    }
}
