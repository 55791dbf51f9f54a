package io.asyncore.coroutines

import io.asyncore.SocketMap
import kotlin.coroutines.ContinuationInterceptor
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.withContext

/** Runs [block] on [map]'s loop thread: directly if already there, else by hopping there and back. */
internal suspend inline fun <T> onLoop(map: SocketMap, crossinline block: suspend () -> T): T =
    if (map.inLoop()) block() else withContext(map.asCoroutineDispatcher()) { block() }

/**
 * Like [onLoop] for a block that makes something to close ([close]): if the caller is cancelled
 * while hopping back from the loop, kotlinx drops the result, so it is closed here instead of leaking.
 *
 * Not `CancellableContinuation.resume(value, onCancellation)`: that hook belongs to a continuation
 * resumed by plain code, and here the value is made by suspending code (a connect or an accept
 * waits) inside `withContext`, whose return is where a cancelled caller drops it. Running the block
 * in a coroutine of its own to resume the caller that way would give up `withContext`'s structure
 * (the caller's context elements, cancellation passed down) for the same guarantee.
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
            "coroutine on the loop (map.runUntilComplete { }, a LoopThread, or withContext(map.asCoroutineDispatcher()))",
    )
}
