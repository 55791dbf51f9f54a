package io.asyncore;

import java.nio.ByteBuffer;

/**
 * The buffers a map's TLS connections work in, one set per map (its loop runs one connection's
 * TLS work at a time), so a connection needs a buffer of its own only while it holds bytes.
 * Each is handed out cleared, in write mode, at least as large as asked.
 */
final class TlsScratch {
    /** Bytes read from a file per {@code sendFile} over TLS: one record's worth. */
    private static final int FILE_CHUNK = 16 * 1024;

    private ByteBuffer netIn;
    private ByteBuffer netOut;
    private ByteBuffer appIn;
    private ByteBuffer handshakeSink;
    private ByteBuffer file;

    ByteBuffer netIn(int size) {
        return netIn = cleared(netIn, size);
    }

    /** A larger ciphertext buffer for reading, replacing the current one (whose bytes the caller moves). */
    ByteBuffer growNetIn(int size) {
        return netIn = ByteBuffer.allocate(size);
    }

    ByteBuffer netOut(int size) {
        return netOut = cleared(netOut, size);
    }

    ByteBuffer appIn(int size) {
        return appIn = cleared(appIn, size);
    }

    /** Where application bytes that arrive with the last handshake messages are unwrapped. */
    ByteBuffer handshakeSink(int size) {
        return handshakeSink = cleared(handshakeSink, size);
    }

    ByteBuffer fileChunk() {
        return file = cleared(file, FILE_CHUNK);
    }

    private static ByteBuffer cleared(ByteBuffer b, int size) {
        if (b == null || b.capacity() < size) {
            return ByteBuffer.allocate(size);
        }
        return b.clear();
    }
}
