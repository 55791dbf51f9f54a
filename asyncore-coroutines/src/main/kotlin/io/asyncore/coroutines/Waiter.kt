package io.asyncore.coroutines

import io.asyncore.SocketMap
import kotlin.coroutines.ContinuationInterceptor
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException
import kotlinx.coroutines.CancellableContinuation
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.suspendCancellableCoroutine

/**
 * The loop-facing dispatcher whose interest follows a [Waiter]: told whenever a coroutine starts or
 * stops waiting, so it can ask the loop for that readiness only while someone waits for it.
 */
internal fun interface Interest {
    /** A waiter came or went: the interest may have changed. Loop thread. */
    fun changed()
}

/**
 * One suspended coroutine waiting for a readiness event of [map]'s loop (readable, writable,
 * connected, acceptable), or none. The slot is confined to the loop thread: [await] there, and
 * [wake] or [fail] from the event's handler or the close.
 *
 * Each wait is resumed at most once: whoever takes it out of the slot first ([wake], [fail], or
 * the cancellation handler) owns it, and the others find the slot empty or holding a newer wait.
 * [interest], if given, is told whenever the slot fills or empties, so the dispatcher is
 * interested only while a coroutine waits; null when the interest follows something else (a
 * writer waiting for the output queue to drain, whose interest follows the queue).
 */
internal class Waiter(private val map: SocketMap, private val interest: Interest?) : (Throwable?) -> Unit {
    private var cont: CancellableContinuation<Any?>? = null

    /** True while a coroutine waits here. Loop thread. */
    val isWaiting: Boolean get() = cont != null

    /**
     * Suspends until [wake] or [fail]. Cancelled, it takes itself out of the slot (on the loop,
     * since cancellation may come from any thread) and the interest follows; a wait that was
     * already woken or failed is left alone. Loop thread; one wait at a time (the callers check).
     *
     * Memory: an idle connection is a coroutine suspended here, so what a wait keeps alive is what
     * each idle connection costs. The cancellation handler is this waiter itself, not a closure per
     * wait, and the function returns kotlinx's result as its own (no frame of its own): a wait
     * holds only kotlinx's continuation, its dispatched wrapper and its link to the parent job.
     * (It returns `Any?`, always [Unit], for that: a `Unit` function would need a frame to return
     * its own `Unit`.)
     */
    suspend fun await(): Any? = suspendCancellableCoroutine<Any?> { c ->
        cont = c // callers allow one waiter; a cancelled wait whose handler has not run yet is replaced
        interest?.changed()
        c.invokeOnCancellation(this)
    }

    /**
     * The cancellation handler of every wait here (kotlinx calls it on the cancelling thread): takes
     * the cancelled wait out of the slot, on the loop. A wait found still active is a newer one and
     * stays.
     */
    override fun invoke(cause: Throwable?) {
        if (map.inLoop()) cancelled() else map.execute(::cancelled)
    }

    private fun cancelled() {
        if (cont?.isCancelled == true) {
            cont = null
            interest?.changed()
        }
    }

    /**
     * Resumes the waiting coroutine, if any, from the event's handler on the loop thread, and
     * returns whether there was one. A coroutine that runs on this map's loop (the usual case)
     * continues right here, inside the handler, instead of taking a trip through the task queue to
     * the end of the pass: as a callback handler would, and as cheaply. Otherwise it goes through
     * its own dispatcher.
     */
    @OptIn(ExperimentalCoroutinesApi::class)
    fun wake(): Boolean {
        val c = cont ?: return false
        cont = null
        interest?.changed()
        val dispatcher = c.context[ContinuationInterceptor]
        if (dispatcher is LoopDispatcher && dispatcher.map === map) {
            with(c) { dispatcher.resumeUndispatched(Unit) }
        } else {
            c.resume(Unit)
        }
        return true
    }

    /**
     * Resumes the waiting coroutine, if any, with the exception [cause] makes (through its
     * dispatcher); [cause] runs only when a coroutine waits, since a stack trace is not free.
     * Loop thread.
     */
    inline fun fail(cause: () -> Throwable) {
        if (isWaiting) {
            resumeWithException(cause())
        }
    }

    /** [fail]'s resumption, apart so that [fail] can be inline. */
    fun resumeWithException(cause: Throwable) {
        val c = cont ?: return
        cont = null
        c.resumeWithException(cause)
    }
}
