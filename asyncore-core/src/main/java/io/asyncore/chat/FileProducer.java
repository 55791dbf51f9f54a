package io.asyncore.chat;

import io.asyncore.Dispatcher;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Sends a region of a file. Queued with {@link AsyncChat#pushWithProducer(Producer)}, it goes from
 * the file to the socket through {@link Dispatcher#sendFile} ({@link FileChannel#transferTo}: zero
 * copy where the OS allows, such as {@code sendfile} on Linux), up to {@code acOutBufferSize} bytes
 * per write event: see {@link ZeroCopyProducer}. Anywhere else it is a plain {@link Producer} whose
 * {@link #more()} reads 65536 bytes at a time.
 *
 * <p>A producer made by {@link #open(Path)} owns its file and closes it once it is exhausted, or
 * when the chat drops it ({@code close()}, {@code discardBuffers()}); one made over a
 * {@link FileChannel} the caller opened leaves that channel open. The file's own position is not
 * used or moved.
 *
 * <p>Not thread-safe; meant for one {@link AsyncChat} on its loop thread.
 */
public final class FileProducer implements ZeroCopyProducer, Closeable {
    private static final int READ_CHUNK = 65536;

    private final FileChannel file;
    private final boolean owned;
    private final long end;
    private long position;

    /**
     * Sends {@code count} bytes of {@code file} from {@code position}; the caller keeps owning
     * (and closes) {@code file}.
     *
     * @throws IllegalArgumentException if {@code position} or {@code count} is negative
     */
    public FileProducer(FileChannel file, long position, long count) {
        this(file, position, count, false);
    }

    private FileProducer(FileChannel file, long position, long count, boolean owned) {
        this.file = Objects.requireNonNull(file, "file");
        if (position < 0 || count < 0) {
            throw new IllegalArgumentException("position < 0 or count < 0: position=" + position + ", count=" + count);
        }
        this.position = position;
        this.end = position + count;
        this.owned = owned;
    }

    /** Opens {@code path} for reading and sends all of it (its size now); the producer closes the file. */
    public static FileProducer open(Path path) throws IOException {
        FileChannel fc = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return new FileProducer(fc, 0, fc.size(), true);
        } catch (IOException | RuntimeException e) {
            fc.close();
            throw e;
        }
    }

    /** The bytes not sent yet. */
    public long remaining() {
        return end - position;
    }

    /** True while bytes are left to send. */
    @Override
    public boolean hasRemaining() {
        return position < end;
    }

    /** Reads the next chunk (the copying path, for uses other than {@link #transferTo(Dispatcher, int)}). */
    @Override
    public byte[] more() throws IOException {
        int n = (int) Math.min(READ_CHUNK, remaining());
        if (n == 0) {
            close();
            return new byte[0];
        }
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            if (file.read(buf, position + buf.position()) < 0) {
                throw shrank(position + buf.position());
            }
        }
        position += n;
        return buf.array();
    }

    /**
     * Sends up to {@code max} bytes from the file with {@code target}'s {@link Dispatcher#sendFile}.
     *
     * @return the bytes sent; 0 if the socket took nothing
     * @throws EOFException if the file shrank below the region this producer was made for
     * @throws IllegalArgumentException if {@code max} is negative
     */
    @Override
    public long transferTo(Dispatcher target, int max) throws IOException {
        Objects.requireNonNull(target, "target");
        if (max < 0) {
            throw new IllegalArgumentException("max < 0: " + max);
        }
        long n = target.sendFile(file, position, Math.min(max, remaining()));
        if (n == 0 && remaining() > 0 && file.isOpen() && position >= file.size()) {
            throw shrank(position);
        }
        position += n;
        return n;
    }

    private EOFException shrank(long at) {
        return new EOFException("the file ended at byte " + at + ", " + (end - at)
                + " bytes before the end this FileProducer was made for; it shrank while being sent");
    }

    /** Closes the file if this producer opened it ({@link #open(Path)}); otherwise does nothing. Idempotent. */
    @Override
    public void close() throws IOException {
        if (owned) {
            file.close();
        }
    }
}
