package io.asyncore.coroutines

import io.asyncore.Dispatcher
import io.asyncore.SocketMap
import java.nio.channels.NetworkChannel

/**
 * The loop-facing dispatcher of a coroutine socket (its owner): a failure the loop catches closes
 * it, and its close tells the owner, with that failure, so the owner resumes its waiters with it
 * instead of the log hearing of it. Loop thread only, as every dispatcher.
 */
internal abstract class OwnedEvents(channel: NetworkChannel?, map: SocketMap) : Dispatcher(channel, map) {
    /** The failure that closed the socket, for its waiters and its close hook; null for a plain close. */
    private var failure: Throwable? = null

    /** True until the owner has been told of the close. */
    protected abstract val ownerOpen: Boolean

    /** Tells the owner the socket closed, after [cause] (null for a plain close). */
    protected abstract fun ownerClosed(cause: Throwable?)

    /** A failed connect or write, or a failure the loop caught: the waiters get the error instead of the log. */
    override fun handleError(error: Throwable) {
        failure = error
        close()
    }

    override fun close() {
        val wasOpen = !isClosed
        super.close()
        if (wasOpen || ownerOpen) {
            ownerClosed(failure)
        }
    }
}
