package io.asyncore.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;

/**
 * The plain transport: the channel itself. Readiness passes through untouched and nothing is
 * buffered, so the loop's plain path costs one monomorphic call per event. Internal.
 */
public final class ChannelTransport implements Transport {
    private final SelectableChannel channel;
    // The channel once per direction, null where it cannot go that way: no cast per call.
    private final ReadableByteChannel in;
    private final WritableByteChannel out;

    /**
     * A transport over {@code channel}. The dispatcher checks that the channel can be read,
     * written or gathered into before each call, with a message that names the call.
     */
    public ChannelTransport(SelectableChannel channel) {
        this.channel = channel;
        this.in = channel instanceof ReadableByteChannel r ? r : null;
        this.out = channel instanceof WritableByteChannel w ? w : null;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return in.read(dst);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return out.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return ((GatheringByteChannel) out).write(srcs, offset, length);
    }

    @Override
    public long transferFrom(FileChannel file, long position, long count) throws IOException {
        return file.transferTo(position, count, out);
    }

    @Override
    public void shutdownOutput() throws IOException {
        ((SocketChannel) channel).shutdownOutput();
    }

    @Override
    public int interestOps(int applicationOps) {
        return applicationOps;
    }

    @Override
    public int ready(int readyOps, int applicationOps) {
        return readyOps;
    }

    @Override
    public boolean hasBufferedInput() {
        return false;
    }

    @Override
    public String toString() {
        return "ChannelTransport[" + channel + "]";
    }
}
