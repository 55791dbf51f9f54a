package io.asyncore;

import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.util.Objects;

/**
 * A connection taken from a listener by {@link Dispatcher#accept()}: Python's {@code (conn, address)} pair.
 *
 * <p>The channel is neither registered with any map nor switched to non-blocking mode; hand it to a
 * {@link Dispatcher} constructor (which does both) or close it.
 *
 * @param sock the accepted connection
 * @param addr the peer's address
 */
public record Accepted(SocketChannel sock, SocketAddress addr) {
    /** Checks that the channel is present. */
    public Accepted {
        Objects.requireNonNull(sock, "sock");
    }
}
