package io.asyncore.coroutines

import io.asyncore.SocketMap
import kotlin.coroutines.ContinuationInterceptor
import kotlin.coroutines.resume
import kotlinx.coroutines.CancellableContinuation
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.withContext

/** Runs [block] on [map]'s loop thread: directly if already there, else by hopping there and back. */
internal suspend inline fun <T> onLoop(map: SocketMap, crossinline block: suspend () -> T): T =
    if (map.inLoop()) block() else withContext(map.asCoroutineDispatcher()) { block() }

/**
 * Like [onLoop] for a block that makes something to close ([close]): if the caller is cancelled
 * while hopping back from the loop, kotlinx drops the result, so it is closed here instead of leaking.
 */
internal suspend inline fun <T : Any> makeOnLoop(
    map: SocketMap,
    crossinline close: (T) -> Unit,
    crossinline block: suspend () -> T,
): T {
    if (map.inLoop()) return block()
    var made: T? = null
    try {
        return withContext(map.asCoroutineDispatcher()) { block().also { made = it } }
    } catch (e: CancellationException) {
        made?.let(close)
        throw e
    }
}

/** The map given, or the one whose loop runs the calling coroutine. */
internal suspend fun mapOrCurrent(map: SocketMap?, what: String): SocketMap {
    if (map != null) return map
    val dispatcher = currentCoroutineContext()[ContinuationInterceptor]
    return (dispatcher as? LoopDispatcher)?.map ?: throw IllegalStateException(
        "$what without a map, from a coroutine on $dispatcher: pass the SocketMap, or call it from a " +
            "coroutine on the loop (map.runBlocking { }, a LoopThread, or withContext(map.asCoroutineDispatcher()))",
    )
}

/**
 * Resumes [cont], a coroutine waiting on a readiness event of [map], from that event's handler on
 * the loop thread. When the coroutine runs on this map's loop (the usual case) it continues right
 * here, inside the handler, instead of taking a trip through the task queue to the end of the pass:
 * as a callback handler would, and as cheaply. Otherwise it goes through its own dispatcher.
 */
@OptIn(ExperimentalCoroutinesApi::class)
internal fun wake(map: SocketMap, cont: CancellableContinuation<Unit>) {
    val dispatcher = cont.context[ContinuationInterceptor]
    if (dispatcher is LoopDispatcher && dispatcher.map === map) {
        with(cont) { dispatcher.resumeUndispatched(Unit) }
    } else {
        cont.resume(Unit)
    }
}
