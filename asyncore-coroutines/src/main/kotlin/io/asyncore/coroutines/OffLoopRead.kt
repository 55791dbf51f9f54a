package io.asyncore.coroutines

import io.asyncore.SocketMap
import kotlin.coroutines.suspendCoroutine
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.withContext

/**
 * A read called from a coroutine off [map]'s loop that must lose nothing to cancellation: [claim]s
 * the reader on the loop and [wait]s there until the result is ready without consuming it, then
 * hops to the loop once more to [take] it and hands it back without a cancellation check. (A
 * `withContext` that returned the result would drop it for a caller cancelled on its way back, even
 * with `NonCancellable`, and the bytes or datagram with it.) [release] runs on the loop however the
 * read ends. Cancelled while waiting, nothing was taken.
 */
internal suspend fun <T> readOffLoop(
    map: SocketMap,
    claim: () -> Unit,
    wait: suspend () -> Unit,
    take: () -> T,
    release: () -> Unit,
): T {
    val loop = map.asCoroutineDispatcher()
    try {
        withContext(loop) {
            claim()
            wait()
        }
    } catch (t: Throwable) {
        withContext(NonCancellable + loop) { release() }
        throw t
    }
    return suspendCoroutine { cont ->
        map.execute {
            cont.resumeWith(
                runCatching {
                    try {
                        take()
                    } finally {
                        release()
                    }
                },
            )
        }
    }
}

/**
 * The one read in progress on a socket, or none: a second one fails at once with the message of
 * [busy]. Each read claims it with a token of its own and only that token releases it, so a read
 * that ends late (released by a task on the loop) cannot free a newer read's claim. Loop thread.
 */
internal class ReaderSlot(private val busy: () -> String) {
    private var token: Any? = null

    /** True while a read is in progress. */
    val isTaken: Boolean get() = token != null

    /** Claims the slot for [token]; throws [IllegalStateException] if another read holds it. */
    fun claim(token: Any) {
        check(this.token == null, busy)
        this.token = token
    }

    /** Frees the slot if [token] holds it. */
    fun release(token: Any) {
        if (this.token === token) {
            this.token = null
        }
    }
}
