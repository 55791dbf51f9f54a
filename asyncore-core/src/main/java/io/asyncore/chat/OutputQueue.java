package io.asyncore.chat;

import io.asyncore.internal.WaterMarks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The output side of an {@link AsyncChat}: Python's {@code producer_fifo} of pushed data,
 * producers and a pending close, sent one piece per {@link #sendNext()}, with the count of queued
 * bytes and the water marks that pause the chat's reading.
 *
 * <p>It tells its chat when {@code writable()} (something is queued) or {@code readable()} (reading
 * paused) changes its answer, so the loop asks neither on an idle pass. Sends go through the chat's
 * public send methods, {@link ZeroCopyProducer}s are handed the chat as their target. Loop thread
 * only, like its chat.
 */
final class OutputQueue {
    private static final System.Logger LOGGER = System.getLogger("io.asyncore");
    /** Python's {@code None} in the producer fifo: close once everything before it is sent. */
    private static final Object CLOSE_WHEN_DONE = new Object() {
        @Override
        public String toString() {
            return "closeWhenDone";
        }
    };
    /** Buffers taken into one gathering send at most. */
    private static final int GATHER_MAX = 1024; // IOV_MAX on Linux: the most one writev takes

    private final AsyncChat chat;
    /** The chat's acOutBufferSize (checked and set by it): the piece size of pushes and the most one send takes. */
    int pieceSize = AsyncChat.DEFAULT_BUFFER_SIZE;
    /** ByteBuffers, Producers and CLOSE_WHEN_DONE; null while empty. */
    private ArrayDeque<Object> fifo;
    private boolean closeRequested;
    private boolean announcedPending;
    /** Bytes of data in the queue (producers' future data not counted). */
    private long queuedBytes;
    private int lowWaterMark = AsyncChat.DEFAULT_LOW_WATER_MARK;
    private int highWaterMark = AsyncChat.DEFAULT_HIGH_WATER_MARK;
    /** True from crossing the high-water mark until draining to the low one. */
    private boolean readPaused;

    OutputQueue(AsyncChat chat) {
        this.chat = chat;
    }

    int lowWaterMark() {
        return lowWaterMark;
    }

    int highWaterMark() {
        return highWaterMark;
    }

    /** Sets checked marks; reading is paused exactly when more than {@code high} is queued. */
    void setWaterMarks(int low, int high) {
        lowWaterMark = low;
        highWaterMark = high;
        pauseReading(queuedBytes > high);
    }

    long queuedBytes() {
        return queuedBytes;
    }

    boolean readPaused() {
        return readPaused;
    }

    /** True while anything is queued (every change ends in queueChanged(), which drops an empty queue). */
    boolean pending() {
        return fifo != null;
    }

    /**
     * Queues a copy of {@code data} in pieces.
     *
     * @return false if the chat is closed (nothing was queued)
     * @throws IllegalStateException after {@link #closeWhenDone()}
     */
    boolean add(byte[] data) {
        if (!acceptsOutput("push()")) {
            return false;
        }
        ArrayDeque<Object> q = queue();
        int obs = pieceSize;
        if (data.length > obs) {
            for (int i = 0; i < data.length; i += obs) {
                q.addLast(ByteBuffer.wrap(Arrays.copyOfRange(data, i, Math.min(data.length, i + obs))));
            }
        } else {
            q.addLast(ByteBuffer.wrap(data.clone()));
        }
        queuedBytes += data.length;
        queueChanged();
        return true;
    }

    /**
     * Queues a producer.
     *
     * @return false if the chat is closed (then the producer was closed, if it is {@link AutoCloseable})
     * @throws IllegalStateException after {@link #closeWhenDone()}
     */
    boolean add(Producer producer) {
        if (!acceptsOutput("pushWithProducer()")) {
            closeQuietly(producer);
            return false;
        }
        queue().addLast(producer);
        queueChanged();
        return true;
    }

    /** Queues a close after what is queued; nothing more may be added. Does nothing if repeated or closed. */
    void closeWhenDone() {
        if (closeRequested || chat.isClosed()) {
            return;
        }
        closeRequested = true;
        queue().addLast(CLOSE_WHEN_DONE);
        queueChanged();
    }

    /** The chat's initiateSend(): at most one send, after asking leading producers for data. */
    void sendNext() throws IOException {
        try {
            while (fifo != null && !fifo.isEmpty() && chat.isConnected()) {
                ArrayDeque<Object> q = fifo;
                Object first = q.peekFirst();
                if (first == CLOSE_WHEN_DONE) {
                    q.pollFirst();
                    queueChanged();
                    chat.handleClose();
                    return;
                }
                if (first instanceof ZeroCopyProducer producer) {
                    transferFrom(q, producer);
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

    /**
     * Sends the queued data the kernel takes now, without blocking: what Python's immediate sends
     * would have handed it before a {@code close()} inside {@code foundTerminator}.
     */
    void flush() {
        ArrayDeque<Object> q = fifo;
        while (q != null && fifo == q && chat.isConnected() && q.peekFirst() instanceof ByteBuffer head) {
            int items = q.size();
            int left = head.remaining();
            sendFrom(q, head);
            if (q.size() == items && head.remaining() == left) {
                return; // the kernel took nothing more
            }
        }
    }

    /**
     * Takes every queued byte out of the queue, in order, for STARTTLS to send in plaintext before
     * the handshake; a pending close stays queued behind it.
     *
     * @return the bytes, or null if none
     * @throws IllegalStateException if a producer is queued: its data cannot be taken ahead of time
     */
    ByteBuffer takeBytes() {
        ArrayDeque<Object> q = fifo;
        if (q == null) {
            return null;
        }
        long total = 0;
        for (Object o : q) {
            if (o instanceof Producer) {
                throw new IllegalStateException("startTls() while a producer is queued on " + chat
                        + ": its data would have to go out in plaintext first; start TLS once it is sent "
                        + "(after the reply that announces TLS, with nothing else queued)");
            }
            if (o instanceof ByteBuffer b) {
                total += b.remaining();
            }
        }
        ByteBuffer all = ByteBuffer.allocate((int) Math.min(total, Integer.MAX_VALUE - 8));
        q.removeIf(o -> {
            if (o instanceof ByteBuffer b) {
                all.put(b);
                return true;
            }
            return false;
        });
        queuedBytes = 0;
        queueChanged();
        return all.flip();
    }

    /** Python's discard_buffers for the output: drops the queue, a pending close included. */
    void discard() {
        closeRequested = false;
        drop();
    }

    /** Drops the queue, closing producers that are {@link AutoCloseable}. */
    void drop() {
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

    private void sendFrom(ArrayDeque<Object> q, ByteBuffer data) {
        if (!data.hasRemaining()) {
            q.pollFirst(); // an empty push: Python spends a zero-length send on it
            return;
        }
        if (q.size() > 1 && data.remaining() < pieceSize && gatherFrom(q)) {
            return;
        }
        int limit = data.limit();
        data.limit(Math.min(limit, data.position() + pieceSize));
        try {
            sent(chat.send(data));
        } catch (IOException e) {
            chat.handleError(e);
            return;
        } finally {
            data.limit(limit);
        }
        if (!data.hasRemaining() && fifo == q && q.peekFirst() == data) {
            q.pollFirst();
        }
    }

    /**
     * Sends the consecutive buffers at the head of the queue, up to {@link #pieceSize} bytes in all,
     * in one gathering write: still one send per call, as in Python, but a queue of many small
     * pushes (lines backed up behind a full kernel buffer) no longer costs a write event per push.
     * The last buffer taken may be cut at the size limit.
     *
     * @return false if fewer than two buffers lead the queue (the caller sends the head alone)
     */
    private boolean gatherFrom(ArrayDeque<Object> q) {
        ByteBuffer[] batch = new ByteBuffer[Math.min(q.size(), GATHER_MAX)];
        int n = 0;
        long room = pieceSize; // bytes the batch may still take
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
            sent(chat.send(batch, 0, n));
        } catch (IOException e) {
            chat.handleError(e);
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

    /** One zero-copy send from the producer at the head; drops it once it has nothing left. */
    private void transferFrom(ArrayDeque<Object> q, ZeroCopyProducer producer) {
        try {
            if (producer.hasRemaining()) {
                producer.transferTo(chat, pieceSize);
            }
        } catch (IOException e) {
            chat.handleError(e);
            return;
        }
        if (!producer.hasRemaining() && fifo == q && q.peekFirst() == producer) {
            q.pollFirst();
            closeQuietly(producer);
        }
    }

    private boolean acceptsOutput(String what) {
        if (chat.isClosed()) {
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

    /** Releases an empty queue and tells the chat when writable() changed its answer. */
    private void queueChanged() {
        ArrayDeque<Object> q = fifo;
        boolean pending = q != null && !q.isEmpty();
        if (!pending) {
            fifo = null;
        }
        if (pending != announcedPending) {
            announcedPending = pending;
            chat.outputInterestChanged();
        }
        pauseReading(WaterMarks.paused(readPaused, queuedBytes, lowWaterMark, highWaterMark));
    }

    /** Counts bytes the kernel took from the queue. */
    private void sent(long bytes) {
        if (fifo != null) { // a send that met a gone peer closed the chat and dropped the queue
            queuedBytes = Math.max(0, queuedBytes - bytes);
        }
    }

    /** Pauses or resumes reading, telling the chat when that changes. */
    private void pauseReading(boolean pause) {
        if (pause != readPaused) {
            readPaused = pause;
            chat.outputInterestChanged();
        }
    }

    private void closeQuietly(Object o) {
        if (o instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOGGER.log(System.Logger.Level.WARNING, "closing producer " + o + " of " + chat + " failed", e);
            }
        }
    }
}
