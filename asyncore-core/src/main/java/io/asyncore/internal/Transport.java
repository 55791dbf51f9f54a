package io.asyncore.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Where a dispatcher's bytes meet its channel: every byte a {@code Dispatcher} reads or writes,
 * and every readiness the loop reports to it, passes through here. The plain implementation,
 * {@link ChannelTransport}, is the channel itself; a TLS implementation puts an {@code SSLEngine}
 * in between, and then {@code Dispatcher}, {@code DispatcherWithSend}, {@code AsyncChat} and the
 * coroutine socket run over it unchanged.
 *
 * <p>The seam can say the three things a transport with its own records needs:
 * <ul>
 *   <li><b>readable although the socket is not</b>: {@link #hasBufferedInput()}, announced with
 *       {@link Host#inputBuffered()}, makes the loop deliver a read event without waiting for the
 *       selector (decrypted bytes held inside the engine);
 *   <li><b>wants to write although the application has nothing to send</b>: {@link #interestOps}
 *       adds {@code OP_WRITE}, and {@link #ready} consumes the write readiness itself (handshake
 *       and close messages);
 *   <li><b>wants to read although the application is not reading</b>: {@link #interestOps} adds
 *       {@code OP_READ}, and {@link #ready} consumes the read readiness itself (a handshake in
 *       progress).
 * </ul>
 * A transport whose needs change outside a call from the loop calls {@link Host#interestChanged()}.
 *
 * <p>All methods run on the loop thread (or the one thread that drives the map). Internal: the
 * package is not exported from the module.
 */
public interface Transport {
    /**
     * Reads application bytes into {@code dst}.
     *
     * @return the count read, 0 if none is available now, or -1 at the end of the stream
     */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Writes application bytes from {@code src}, advancing its position.
     *
     * @return the count taken, 0 if none could be taken now
     */
    int write(ByteBuffer src) throws IOException;

    /** {@link #write(ByteBuffer)} from several buffers, in one system call where the transport can. */
    long write(ByteBuffer[] srcs, int offset, int length) throws IOException;

    /**
     * Writes up to {@code count} bytes of {@code file} from {@code position}: zero copy where the
     * transport and the OS allow, a copy through a buffer where they do not.
     *
     * @return the count taken
     */
    long transferFrom(FileChannel file, long position, long count) throws IOException;

    /** Ends the output direction, leaving input open: a TCP half-close, or a TLS close message. */
    void shutdownOutput() throws IOException;

    /**
     * The selector interest for what the application wants ({@code OP_READ}, {@code OP_WRITE},
     * {@code OP_ACCEPT}, {@code OP_CONNECT} bits): the transport adds what it needs itself.
     */
    int interestOps(int applicationOps);

    /**
     * Turns what the selector reported into the events the application gets, doing the
     * transport's own I/O on the way (flushing records, advancing a handshake).
     *
     * @param readyOps the ready set from the selector
     * @param applicationOps what the application asked for in this pass
     * @return the ready set to deliver to the application
     */
    int ready(int readyOps, int applicationOps) throws IOException;

    /** True if {@link #read} would return bytes although the socket has none ready. */
    boolean hasBufferedInput();

    /** The loop's side of a transport: how it tells the loop that its needs changed. */
    interface Host {
        /** {@link Transport#interestOps} may answer differently now. */
        void interestChanged();

        /** The transport holds input the application has not read: deliver a read event soon. */
        void inputBuffered();
    }
}
