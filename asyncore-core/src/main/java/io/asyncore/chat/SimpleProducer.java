package io.asyncore.chat;

import java.util.Arrays;
import java.util.Objects;

/**
 * A {@link Producer} over a byte array, handing it out {@code bufferSize} bytes at a time (512 by
 * default): Python's {@code simple_producer}. 1100 bytes come out as 512, 512, 76, then empty
 * arrays forever.
 *
 * <p>The data is copied at construction. Not thread-safe; meant for one {@link AsyncChat}.
 */
public final class SimpleProducer implements Producer {
    /** Python's default {@code buffer_size}. */
    public static final int DEFAULT_BUFFER_SIZE = 512;

    private final byte[] data;
    private final int bufferSize;
    private int position;

    /** Produces {@code data} 512 bytes at a time. */
    public SimpleProducer(byte[] data) {
        this(data, DEFAULT_BUFFER_SIZE);
    }

    /**
     * Produces {@code data} {@code bufferSize} bytes at a time.
     *
     * @throws IllegalArgumentException if {@code bufferSize < 1}
     */
    public SimpleProducer(byte[] data, int bufferSize) {
        Objects.requireNonNull(data, "data");
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize < 1: " + bufferSize + " (each more() returns up to this many bytes)");
        }
        this.data = data.clone();
        this.bufferSize = bufferSize;
    }

    @Override
    public byte[] more() {
        int n = Math.min(bufferSize, data.length - position);
        byte[] out = Arrays.copyOfRange(data, position, position + n);
        position += n;
        return out;
    }
}
