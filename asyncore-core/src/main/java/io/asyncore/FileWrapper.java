package io.asyncore;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;

/**
 * A file-like channel for {@link FileDispatcher}: Python's {@code file_wrapper}.
 *
 * <p>Either any {@link SelectableChannel} that can be read or written (a {@link Pipe}'s ends), or a
 * blocking {@link InputStream} such as a {@link Process}'s output, {@linkplain #bridge(InputStream)
 * bridged} onto a pipe by a daemon thread so the loop can select on it.
 *
 * <p>{@link #close()} is idempotent and closes everything the wrapper holds.
 */
public final class FileWrapper implements Closeable {
    private final SelectableChannel channel;
    private final Closeable source;
    private volatile boolean closed;

    /**
     * Wraps a selectable channel; it is switched to non-blocking mode when a dispatcher takes it.
     *
     * @throws IllegalArgumentException if the channel can be neither read nor written
     */
    public FileWrapper(SelectableChannel channel) {
        this(channel, null);
    }

    private FileWrapper(SelectableChannel channel, Closeable source) {
        Objects.requireNonNull(channel, "channel");
        if (!(channel instanceof ReadableByteChannel) && !(channel instanceof WritableByteChannel)) {
            throw new IllegalArgumentException(channel + " can be neither read nor written");
        }
        this.channel = channel;
        this.source = source;
    }

    /**
     * Bridges a blocking stream onto a pipe: a daemon thread copies {@code in} into the pipe until
     * end of stream, then closes the pipe's write end, so the dispatcher sees end of stream too.
     * Closing the wrapper closes {@code in}, which ends the thread.
     */
    public static FileWrapper bridge(InputStream in) throws IOException {
        Objects.requireNonNull(in, "in");
        Pipe pipe = Pipe.open();
        FileWrapper wrapper = new FileWrapper(pipe.source(), in);
        Thread pump = new Thread(() -> pump(in, pipe.sink(), wrapper), "asyncore-bridge-" + in);
        pump.setDaemon(true);
        pump.start();
        return wrapper;
    }

    private static void pump(InputStream in, Pipe.SinkChannel sink, FileWrapper wrapper) {
        byte[] chunk = new byte[8192];
        try (sink) {
            int n;
            while ((n = in.read(chunk)) >= 0) {
                ByteBuffer b = ByteBuffer.wrap(chunk, 0, n);
                while (b.hasRemaining()) {
                    sink.write(b);
                }
            }
        } catch (IOException e) {
            if (!wrapper.closed) {
                SocketMap.LOGGER.log(System.Logger.Level.WARNING, "copying a stream into the loop failed", e);
            }
        }
    }

    /** The channel the loop selects on. */
    public SelectableChannel channel() {
        return channel;
    }

    /** True once {@link #close()} ran. */
    public boolean isClosed() {
        return closed;
    }

    /** Closes the channel and, for a bridge, the stream. Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
        } finally {
            if (source != null) {
                source.close();
            }
        }
    }

    @Override
    public String toString() {
        return "FileWrapper[" + channel + (closed ? ", closed" : "") + "]";
    }
}
