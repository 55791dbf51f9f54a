package io.asyncore.coroutines

import io.asyncore.SocketMap
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.async
import kotlinx.coroutines.CancellationException

/**
 * Drives this map on the calling thread until [block] and every coroutine it launched complete,
 * then returns the block's result: kotlinx's `runBlocking`, for `main` functions and tests, with
 * the map's loop as the event loop. The name is asyncio's `loop.run_until_complete`. The block
 * runs on the loop ([asCoroutineDispatcher]); callback dispatchers already in the map, or added
 * while it runs, are served by the same passes.
 *
 * ```
 * SocketMap().use { map ->
 *     map.runUntilComplete {
 *         val socket = SuspendingSocket.connect(InetSocketAddress("127.0.0.1", 7))
 *         socket.writeString("hello\n")
 *         println(socket.readLine(maxLength = 1024))
 *         socket.close()
 *     }
 * }
 * ```
 *
 * The map stays open afterwards, with whatever sockets the block left open in it: close the map
 * (or the sockets) when done.
 *
 * ## Why not `runBlocking`
 * The function was called `SocketMap.runBlocking` before 0.1.0 and renamed: an extension of that
 * name took kotlinx's place wherever both were imported, so callers had to spell out
 * `kotlinx.coroutines.runBlocking` for the ordinary one. No deprecated alias is kept: the name was
 * never released, and an alias would keep the clash.
 *
 * ## Threading
 * The calling thread becomes the loop thread for the duration: the map must not be driven by
 * another thread meanwhile. Each pass waits for I/O, the next timer or a posted task, so an idle
 * wait costs no CPU.
 *
 * ## Errors and cancellation
 * An exception thrown by the block (or by a child it did not handle) is rethrown from here. If a
 * pass itself throws (a callback handler's [io.asyncore.ExitNow] or a JVM `Error`), the block is
 * cancelled and that throwable propagates; the block's coroutines then stay suspended until the
 * map is driven again or closed.
 *
 * @throws IllegalStateException if called from this map's own loop thread (it would wait for itself)
 */
public fun <T> SocketMap.runUntilComplete(block: suspend CoroutineScope.() -> T): T {
    check(!inLoop()) {
        "runUntilComplete on a SocketMap from inside its own loop would wait for itself; " +
            "launch a coroutine on map.asCoroutineDispatcher() instead"
    }
    val result = CoroutineScope(asCoroutineDispatcher()).async(block = block)
    try {
        while (!result.isCompleted) {
            runPass(null, false)
        }
    } catch (t: Throwable) {
        result.cancel(CancellationException("the loop driving this runUntilComplete failed", t))
        throw t
    }
    @OptIn(kotlinx.coroutines.ExperimentalCoroutinesApi::class)
    return result.getCompleted()
}
