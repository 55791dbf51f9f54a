package io.asyncore.samples.echo;

import io.asyncore.DispatcherWithSend;
import io.asyncore.SocketMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * One echo connection: whatever arrives is sent back, and at end of stream the echo is finished
 * before the socket closes.
 *
 * <p>This is the documentation's handler ({@code byte[] data = recv(8192); if (data.length > 0)
 * send(data);}, shown in the README's quick start) written with the fast calls of the same API:
 * {@code recv(ByteBuffer)} into a 64 KiB buffer that every handler of one server shares (they all
 * run on the loop thread, one at a time) and {@code send(ByteBuffer)}, which copies only what the
 * kernel does not take at once. The documentation's form allocates an array per read and reads at
 * most 8 KiB per event, which costs about four times the CPU per byte in bulk transfers.
 *
 * <p>Memory stays bounded by {@link DispatcherWithSend}'s water marks: a peer that sends and does
 * not read makes the handler stop reading once 64 KiB of echo wait. At end of stream (the peer
 * half-closed) {@link #closeWhenDone()} sends what is queued, then closes; a peer that went away
 * altogether closes it at once.
 *
 * <p>Threading: for the thread that runs {@code map}.
 */
public class EchoHandler extends DispatcherWithSend {
    /** Bytes read per read event at most. */
    public static final int READ_SIZE = 65536;

    private final ByteBuffer readBuffer;

    /** Serves the accepted {@code sock} in {@code map}, with a read buffer of its own. */
    public EchoHandler(SocketChannel sock, SocketMap map) {
        this(sock, map, ByteBuffer.allocateDirect(READ_SIZE));
    }

    /**
     * Serves the accepted {@code sock} in {@code map}, reading into {@code shared}: a buffer that only
     * handlers of the same map may share, since they run on its loop thread one at a time.
     */
    public EchoHandler(SocketChannel sock, SocketMap map, ByteBuffer shared) {
        super(sock, map);
        this.readBuffer = shared;
    }

    @Override
    public void handleRead() throws IOException {
        readBuffer.clear();
        if (recv(readBuffer) > 0) {
            send(readBuffer.flip());
        }
    }

    /** End of stream: finish the echo, then close. A second call (the peer is gone for good) closes now. */
    @Override
    public void handleClose() {
        if (isCloseWhenDone()) {
            close();
        } else {
            closeWhenDone();
        }
    }
}
