package io.asyncore.chat;

import java.io.IOException;
import java.util.Arrays;

/**
 * The input side of an {@link AsyncChat}: splits each read at the current terminator, handing the
 * message data to the chat's {@code collectIncomingData} and each end of message to its
 * {@code foundTerminator} (asynchat.py's {@code handle_read} loop), and keeps the buffer of the
 * default {@code collectIncomingData}.
 *
 * <p>The unparsed bytes are {@code held[heldOff..heldOff+heldLen)} followed by {@code in[inPos..]}.
 * Bytes held back between reads as a possible start of the terminator are a slice of the
 * terminator's own array, so holding them allocates nothing, and the search resumes after them
 * (Knuth-Morris-Pratt), so no byte is looked at twice.
 *
 * <p>Loop thread only, like its chat.
 */
final class InputScanner {
    private static final byte[] EMPTY = new byte[0];

    private final AsyncChat chat;
    /** The chat's maxIncomingSize (checked and set by it). */
    long maxIncomingSize = AsyncChat.DEFAULT_MAX_INCOMING_SIZE;
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

    InputScanner(AsyncChat chat) {
        this.chat = chat;
    }

    /** The current terminator, a count one counted down to what is left of it. */
    Terminator terminator() {
        Terminator t = terminator;
        return t.isCount() && countLeft != t.count ? Terminator.count(countLeft) : t;
    }

    void setTerminator(Terminator t) {
        if (!(t.isBytes() && t.equals(terminator))) {
            terminator = t; // keep an equal one: its search state stays valid
        }
        countLeft = t.isCount() ? t.count : 0;
    }

    /** True if the current terminator is the byte string {@code bytes} (so setting it changes nothing). */
    boolean isTerminator(byte[] bytes) {
        return terminator.isBytes() && Arrays.equals(terminator.bytes, bytes);
    }

    /** The default collectIncomingData: appends to the buffer. */
    void buffer(byte[] data) {
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

    /** Returns the buffer's content and empties it. */
    byte[] takeBuffered() {
        byte[] out = incoming == null ? EMPTY
                : incoming.length == incomingLength ? incoming : Arrays.copyOf(incoming, incomingLength);
        incoming = null;
        incomingLength = 0;
        return out;
    }

    /** Splits one read at the terminator, which is read again after every message. */
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

    /** Drops the held bytes, the rest of the read being parsed, and the buffer. */
    void discard() {
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

    /** Bytes received and not yet scanned: the rest of the read being parsed, and held-back bytes. */
    int unscanned() {
        return available();
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
        chat.collectIncomingData(data);
        return true;
    }

    private void found() throws IOException {
        messageSize = 0;
        chat.foundTerminator();
    }

    private void tooLarge(Terminator t) {
        MessageTooLargeException e = new MessageTooLargeException(maxIncomingSize, t);
        discard();
        chat.handleError(e);
        if (!chat.isClosed()) {
            chat.close();
        }
    }
}
