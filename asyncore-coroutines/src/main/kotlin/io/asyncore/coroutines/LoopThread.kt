package io.asyncore.coroutines

import io.asyncore.Asyncore
import io.asyncore.SocketMap
import java.time.Duration
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.cancel
import kotlinx.coroutines.job
import kotlinx.coroutines.launch

/**
 * A loop on a thread of its own, as a [CoroutineScope]: `launch` onto it from anywhere, and
 * cancel it (or [close] it) to stop. Use it when the calling thread has other work, for example in
 * a server whose `main` also runs a UI or a blocking API. Make one with [start].
 *
 * ```
 * val loop = LoopThread.start()
 * loop.launch {
 *     SuspendingServer.serve(InetSocketAddress("127.0.0.1", 7007)).collect { socket ->
 *         launch { socket.use { echo(it) } }
 *     }
 * }
 * // ... later
 * loop.close()
 * ```
 *
 * ## Lifetime
 * [start] starts the thread, which drives [map] until the scope is cancelled. There is no
 * unstarted `LoopThread`: a scope whose loop nobody drives would accept `launch` and never run
 * it. Cancelling closes every dispatcher of the map, coroutine sockets and servers as well as
 * callback dispatchers (their waiting coroutines resume with [SocketClosedException] or the
 * cancellation), lets the scope's coroutines finish on the loop, then closes the map and ends the
 * thread. The scope has a [SupervisorJob]: one failed child does not stop the loop.
 *
 * ## Threading
 * Everything launched here runs on the loop thread. [close] and `cancel` are safe from any thread.
 */
public class LoopThread private constructor(
    name: String,
    /** The map this thread drives. Touch its dispatchers only from the loop (a coroutine here, or [SocketMap.execute]). */
    public val map: SocketMap,
) : CoroutineScope by CoroutineScope(SupervisorJob() + map.asCoroutineDispatcher() + CoroutineName(name)), AutoCloseable {
    /** The loop as a dispatcher: [map]'s [LoopDispatcher]. */
    public val dispatcher: LoopDispatcher = map.asCoroutineDispatcher()

    private val job = coroutineContext.job

    private val thread = Thread(::drive, name)

    private fun begin(): LoopThread {
        // Sweeps the map when the scope is cancelled: this child's finally runs on the loop, even
        // if the scope is cancelled before the child first ran (ATOMIC).
        launch(start = CoroutineStart.ATOMIC) {
            try {
                awaitCancellation()
            } finally {
                Asyncore.closeAll(map, true)
            }
        }
        // The last child may complete off the loop (a child that moved to another dispatcher):
        // wake the loop so it notices.
        job.invokeOnCompletion { map.execute {} }
        thread.start()
        return this
    }

    private fun drive() {
        try {
            while (!job.isCompleted) {
                // Once stopping, wait in short slices: the end must not hang on one wake-up.
                map.runPass(if (job.isActive) null else STOPPING_SLICE, false)
            }
        } finally {
            map.close()
        }
    }

    /**
     * Cancels the scope and waits up to [timeout] for the loop thread to end. Safe from any thread
     * but the loop thread itself (which would wait for itself; cancel the scope from there instead).
     *
     * @return true if the thread ended in time
     */
    public fun close(timeout: Duration): Boolean {
        check(Thread.currentThread() !== thread) {
            "close() on the loop thread would wait for itself; call cancel() from there instead"
        }
        cancel()
        thread.join(timeout.toMillis().coerceAtLeast(1))
        return !thread.isAlive
    }

    /** [close] waiting up to 10 seconds for the loop thread to end. */
    override fun close() {
        close(Duration.ofSeconds(10))
    }

    /** The thread's name and the map's description, for logs. */
    override fun toString(): String = "LoopThread[${thread.name}, $map]"

    /** Starting loop threads. */
    public companion object {
        private val STOPPING_SLICE: Duration = Duration.ofMillis(10)

        /**
         * Starts a thread named [name] that drives [map], and returns it as a scope to launch onto.
         *
         * @param name the thread's name
         * @param map the map to drive, by default a new one; either way it is closed when the scope ends
         */
        @JvmStatic
        @JvmOverloads
        public fun start(name: String = "asyncore-loop", map: SocketMap = SocketMap()): LoopThread =
            LoopThread(name, map).begin()
    }
}
