package io.asyncore.coroutines

import java.nio.channels.SocketChannel

/**
 * What [SuspendingSocket.detach] hands over: the open, non-blocking [channel], no longer in any
 * map, and the bytes the suspending socket had already read from it but not yet returned
 * ([readAhead], possibly empty). Feed [readAhead] to the new owner first.
 */
public class Detached internal constructor(
    /** The connection, open, non-blocking and in no map: pass it to a `Dispatcher` constructor. */
    public val channel: SocketChannel,
    /** Bytes received before the hand-over and not yet read, oldest first. */
    public val readAhead: ByteArray,
)
