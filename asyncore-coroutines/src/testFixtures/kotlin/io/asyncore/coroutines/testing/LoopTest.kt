/*
 * Test fixtures for coroutine tests, published as the test-fixtures jar of asyncore-coroutines
 * (the Java ones, io.asyncore.testing, are asyncore-core's). Not part of the library's API.
 */
package io.asyncore.coroutines.testing

import io.asyncore.SocketMap
import io.asyncore.coroutines.runUntilComplete
import java.net.InetSocketAddress
import java.net.SocketAddress
import kotlin.coroutines.resume
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.suspendCancellableCoroutine
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.yield

/** 127.0.0.1 on a free port. */
val LOOPBACK: SocketAddress = InetSocketAddress("127.0.0.1", 0)

/** Runs [block] on a fresh map driven by the calling thread, with a timeout on the loop's own timers; closes the map. */
fun <T> loopTest(timeout: Duration = 10.seconds, block: suspend CoroutineScope.(SocketMap) -> T): T =
    SocketMap().use { map -> map.runUntilComplete { withTimeout(timeout) { block(map) } } }

/** Yields to the loop until [condition] holds (the caller's withTimeout bounds it): the suspending loop-until. */
suspend fun awaitCondition(condition: () -> Boolean) {
    while (!condition()) {
        yield()
    }
}

/** Suspends until the loop has begun a new pass, which brings the selector's interest up to date. */
suspend fun nextPass(map: SocketMap) = suspendCancellableCoroutine { cont ->
    // A timer set by a timer waits for the next pass.
    map.callLater(java.time.Duration.ZERO) { map.callLater(java.time.Duration.ZERO) { cont.resume(Unit) } }
}
