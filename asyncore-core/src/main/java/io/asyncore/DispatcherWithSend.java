package io.asyncore;

import io.asyncore.internal.InterestAnnounced;
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
 */
public class DispatcherWithSend extends Dispatcher {
    /** Bytes handed to the kernel per send call at most, as in Python. */
    public static final int SEND_CHUNK = 65536;

    /** Bytes not yet sent, between position and limit; null when there are none. */
    private ByteBuffer outBuffer;

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

    /**
     * Sends up to 65536 queued bytes, as many as the kernel takes now: Python's {@code initiate_send}.
     */
    public void initiateSend() throws IOException {
        ByteBuffer out = outBuffer;
        if (out == null) {
            return;
        }
        int limit = out.limit();
        out.limit(Math.min(limit, out.position() + SEND_CHUNK));
        try {
            super.send(out);
        } finally {
            out.limit(limit);
        }
        if (!out.hasRemaining() && outBuffer == out) {
            outBuffer = null;
            interestChanged();
        }
    }

    /** Sends queued bytes. */
    @Override
    public void handleWrite() throws IOException {
        initiateSend();
    }

    /** True while not connected (to learn when the connect completes) or while bytes wait to be sent. */
    @Override
    @InterestAnnounced
    public boolean writable() {
        return !isConnected() || outBuffer != null;
    }

    /** The number of bytes queued and not yet handed to the kernel. */
    public int pendingBytes() {
        return outBuffer == null ? 0 : outBuffer.remaining();
    }

    /**
     * Queues {@code data} and sends what the kernel takes now.
     *
     * @return {@code data.length}: every byte is taken (Python's version returns {@code None})
     * @throws IllegalStateException if the dispatcher was closed
     */
    @Override
    public int send(byte[] data) throws IOException {
        return send(ByteBuffer.wrap(data));
    }

    /** {@link #send(byte[])} from a buffer, which is consumed whole (its bytes are copied if they must wait). */
    @Override
    public int send(ByteBuffer data) throws IOException {
        int length = data.remaining();
        if (isDebug()) {
            logInfo("sending " + length + " bytes", "info");
        }
        requireOpen("send()"); // before queueing: bytes queued on a closed dispatcher would be lost
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
        return length;
    }

    private void append(ByteBuffer data) {
        ByteBuffer out = outBuffer;
        if (out.capacity() - out.limit() < data.remaining()) {
            int pending = out.remaining();
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(out.capacity() * 2, pending + data.remaining()));
            out = bigger.put(out).flip();
        }
        int position = out.position();
        out.position(out.limit()).limit(out.capacity());
        out.put(data);
        out.limit(out.position()).position(position);
        outBuffer = out;
    }
}
