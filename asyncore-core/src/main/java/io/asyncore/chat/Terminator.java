package io.asyncore.chat;

import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.Objects;

/**
 * What ends an incoming message of an {@link AsyncChat}: a byte string, a byte count, or nothing
 * (read until the peer closes). Python's {@code set_terminator} takes {@code bytes}, an {@code int}
 * or {@code None}; this immutable value is the three in one type.
 *
 * <p>An empty byte string is the same as {@link #NONE}, as {@code b''} acts like {@code None} in
 * Python. A count of 0 is kept as a count, but like Python's 0 it ends nothing: everything is
 * collected.
 *
 * <p>Thread-safe (immutable).
 */
public final class Terminator {
    /** No terminator: every byte goes to {@code collectIncomingData} until the peer closes. */
    public static final Terminator NONE = new Terminator(null, -1);

    /** The terminator bytes (owned, never exposed), or null for none and for counts. */
    final byte[] bytes;
    /** The count for a count terminator, else -1. */
    final long count;
    /** Knuth-Morris-Pratt failure table: fail[i] = longest proper border of bytes[0..i]. */
    final int[] fail;

    private Terminator(byte[] bytes, long count) {
        this.bytes = bytes;
        this.count = count;
        this.fail = bytes == null ? null : failureTable(bytes);
    }

    /**
     * A byte-string terminator; {@code bytes} is copied. An empty array gives {@link #NONE}.
     *
     * @throws NullPointerException if {@code bytes} is null (use {@link #NONE} for "no terminator")
     */
    public static Terminator of(byte[] bytes) {
        Objects.requireNonNull(bytes, "terminator bytes are null; use Terminator.NONE to read until the peer closes");
        return bytes.length == 0 ? NONE : new Terminator(bytes.clone(), -1);
    }

    /** A byte-string terminator: {@code text} encoded in {@code charset}. An empty string gives {@link #NONE}. */
    public static Terminator of(String text, Charset charset) {
        Objects.requireNonNull(text, "terminator text is null; use Terminator.NONE to read until the peer closes");
        Objects.requireNonNull(charset, "charset");
        return of(text.getBytes(charset));
    }

    /**
     * A count terminator: the message is the next {@code count} bytes.
     *
     * @throws IllegalArgumentException if {@code count} is negative
     */
    public static Terminator count(long count) {
        if (count < 0) {
            throw new IllegalArgumentException("terminator count < 0: " + count
                    + " (a count terminator collects that many bytes; use 0 or more)");
        }
        return new Terminator(null, count);
    }

    /** True for {@link #NONE}. */
    public boolean isNone() {
        return bytes == null && count < 0;
    }

    /** True for a count terminator. */
    public boolean isCount() {
        return count >= 0;
    }

    /** True for a byte-string terminator. */
    public boolean isBytes() {
        return bytes != null;
    }

    /** A copy of the terminator bytes; {@code null} unless {@link #isBytes()}. */
    public byte[] bytes() {
        return bytes == null ? null : bytes.clone();
    }

    /** The byte count of a count terminator; -1 unless {@link #isCount()}. */
    public long count() {
        return count;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Terminator t && count == t.count && Arrays.equals(bytes, t.bytes);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(bytes) + Long.hashCode(count);
    }

    /** {@code none}, {@code count(5)}, or the bytes in Python's notation, e.g. {@code b"\r\n"}. */
    @Override
    public String toString() {
        if (isCount()) {
            return "count(" + count + ")";
        }
        if (bytes == null) {
            return "none";
        }
        StringBuilder sb = new StringBuilder("b\"");
        for (byte b : bytes) {
            int c = b & 0xff;
            switch (c) {
                case '\r' -> sb.append("\\r");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '"', '\\' -> sb.append('\\').append((char) c);
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        sb.append((char) c);
                    } else {
                        sb.append(String.format("\\x%02x", c));
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static int[] failureTable(byte[] t) {
        int[] fail = new int[t.length];
        int k = 0;
        for (int i = 1; i < t.length; i++) {
            while (k > 0 && t[i] != t[k]) {
                k = fail[k - 1];
            }
            if (t[i] == t[k]) {
                k++;
            }
            fail[i] = k;
        }
        return fail;
    }
}
