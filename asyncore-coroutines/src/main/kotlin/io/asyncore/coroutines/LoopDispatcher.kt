package io.asyncore.coroutines

import io.asyncore.SocketMap
import java.time.Duration
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.resume
import kotlinx.coroutines.CancellableContinuation
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Delay
import kotlinx.coroutines.DisposableHandle
import kotlinx.coroutines.InternalCoroutinesApi

/**
 * A [SocketMap]'s loop as a [CoroutineDispatcher]: coroutines dispatched here run on the thread
 * that drives the map, between the loop's I/O events, so a coroutine and a callback
 * [io.asyncore.Dispatcher] of the same map never race. Get one with [SocketMap.asCoroutineDispatcher];
 * two dispatchers of the same map are equal.
 *
 * Someone must drive the map: [SocketMap.runUntilComplete] on the calling thread, a [LoopThread], or a
 * classic [io.asyncore.Asyncore.loop] (which returns once the map holds no dispatcher, leaving
 * coroutines that wait on timers or tasks behind).
 *
 * ## Threading
 * [dispatch] is safe from any thread: it posts the block with [SocketMap.execute], which wakes the
 * selector once for any number of posts. It always queues, also on the loop thread, so `launch`
 * keeps its usual order (the new coroutine runs after the caller suspends or returns) and a
 * coroutine never runs inside the handler of a callback dispatcher (but see the one exception
 * below). Queued blocks run at the end
 * of the current or next pass. Once the map is closed nothing runs them: close a map only after
 * its coroutines are done ([LoopThread] does; when [SocketMap.runUntilComplete] returns, its block and
 * children have completed).
 *
 * One exception to the queue, for speed: a coroutine on this dispatcher that waits for a
 * [SuspendingSocket] or [SuspendingServer] to become readable, writable or connected is resumed
 * directly by the library's own handler of that event, inside the pass (with its context elements
 * applied), as a callback handler would run, rather than through the queue at the end of the pass.
 * So such a coroutine may run before blocks queued earlier in the same pass.
 *
 * ## Timers
 * `delay` and `withTimeout` in a coroutine on this dispatcher use the map's own timers
 * ([SocketMap.callLater]): the wait costs no thread, the loop sleeps exactly until the earliest
 * deadline, and a timeout fires on the loop thread between I/O events, so it cannot interleave
 * with a read or write in progress. Hooking `delay` needs kotlinx's [Delay] interface, which is
 * marked [InternalCoroutinesApi]. We accept that: the interface has kept its shape since
 * kotlinx.coroutines 1.0, and every UI dispatcher in kotlinx uses it. Without it, delays would run
 * on kotlinx's shared `DefaultExecutor` thread and come back through [dispatch]: correct, but one
 * extra thread hop per timer.
 *
 * ## Supported kotlinx.coroutines versions
 * Your build picks the kotlinx-coroutines version, not this library. Supported: 1.9.0 and every
 * later 1.x release; built and tested with 1.11.0. Besides [Delay], the module relies on two
 * `ExperimentalCoroutinesApi` functions that have been stable for years: `resumeUndispatched`
 * (a coroutine woken by an I/O event runs inside that event's handler) and `Deferred.getCompleted`
 * ([SocketMap.runUntilComplete]'s result). The build's `-Pkotlinx-newest` profile runs this
 * module's tests against the newest kotlinx-coroutines on Maven Central, so a release that changes
 * any of them shows there first.
 */
@OptIn(InternalCoroutinesApi::class)
public class LoopDispatcher internal constructor(
    /** The map whose loop runs the coroutines. */
    public val map: SocketMap,
) : CoroutineDispatcher(), Delay {

    /** Posts [block] to the loop with [SocketMap.execute]. Safe from any thread. */
    override fun dispatch(context: CoroutineContext, block: Runnable) {
        map.execute(block)
    }

    /** Resumes [continuation] on the loop after [timeMillis] using the map's timer heap; cancelling it cancels the timer. */
    override fun scheduleResumeAfterDelay(timeMillis: Long, continuation: CancellableContinuation<Unit>) {
        val handle = map.callLater(Duration.ofMillis(timeMillis.coerceAtLeast(0))) {
            continuation.resume(Unit)
        }
        continuation.invokeOnCancellation { handle.cancel() }
    }

    /** Runs [block] on the loop after [timeMillis] (how `withTimeout` fires); disposing the handle cancels the timer. */
    override fun invokeOnTimeout(timeMillis: Long, block: Runnable, context: CoroutineContext): DisposableHandle {
        val handle = map.callLater(Duration.ofMillis(timeMillis.coerceAtLeast(0)), block)
        return DisposableHandle { handle.cancel() }
    }

    /** Equal to any dispatcher of the same [map]. */
    override fun equals(other: Any?): Boolean = other is LoopDispatcher && other.map === map

    /** The [map]'s identity hash, consistent with [equals]. */
    override fun hashCode(): Int = System.identityHashCode(map)

    /** `LoopDispatcher[` and the map's description `]`, for logs. */
    override fun toString(): String = "LoopDispatcher[$map]"
}

/**
 * This map's loop as a [CoroutineDispatcher]; see [LoopDispatcher]. Cheap: call it whenever needed.
 * Safe from any thread.
 */
public fun SocketMap.asCoroutineDispatcher(): LoopDispatcher = LoopDispatcher(this)
