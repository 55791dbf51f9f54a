package io.asyncore.coroutines

import io.asyncore.SocketMap
import java.net.InetSocketAddress
import java.net.SocketAddress
import java.nio.channels.Selector
import java.util.concurrent.Executors
import java.util.concurrent.LinkedBlockingQueue
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.resume
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.async
import kotlinx.coroutines.suspendCancellableCoroutine
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.yield

/** 127.0.0.1 on a free port. */
val LOOPBACK: SocketAddress = InetSocketAddress("127.0.0.1", 0)

/** Runs [block] on a fresh map driven by the calling thread, with a timeout on the loop's own timers; closes the map. */
fun <T> loopTest(timeout: Duration = 10.seconds, block: suspend CoroutineScope.(SocketMap) -> T): T =
    SocketMap().use { map -> map.runBlocking { withTimeout(timeout) { block(map) } } }

/** A connected pair on [map]: (client side, server side). */
suspend fun CoroutineScope.connectedPair(map: SocketMap, address: SocketAddress = LOOPBACK): Pair<SuspendingSocket, SuspendingSocket> {
    val server = SuspendingServer.bind(address, map)
    val accepted = async { server.accept() }
    val client = SuspendingSocket.connect(server.localAddress, map)
    val peer = accepted.await()
    server.close()
    return client to peer
}

/** Yields to the loop until [condition] holds (the caller's withTimeout bounds it). */
suspend fun awaitCondition(condition: () -> Boolean) {
    while (!condition()) {
        yield()
    }
}

fun pattern(size: Int, seed: Int = 0): ByteArray = ByteArray(size) { ((it * 31 + seed * 7) and 0xff).toByte() }

/**
 * A caller's dispatcher that only queues: the test resumes its coroutines one step at a time with
 * [runNext], on a thread of its own (never the loop), so it can act between two steps.
 */
class SteppedDispatcher : CoroutineDispatcher(), AutoCloseable {
    private val queue = LinkedBlockingQueue<Runnable>()
    private val executor = Executors.newSingleThreadExecutor()

    /** Steps dispatched and not yet run. */
    val pending: Int get() = queue.size

    override fun dispatch(context: CoroutineContext, block: Runnable) {
        queue.add(block)
    }

    /** Runs the oldest queued step on this dispatcher's thread and waits for it to return. */
    suspend fun runNext() {
        val step = queue.remove()
        withContext(executor.asCoroutineDispatcher()) { step.run() }
    }

    override fun close() {
        executor.shutdownNow()
    }
}

/**
 * What the map's selector still watches: one line per key with interest. Reads the map's private
 * selector by reflection (a test-only view of what the loop really waits for). On the loop thread,
 * after [nextPass] so recent interest changes have reached the selector.
 */
fun selectorInterest(map: SocketMap): List<String> {
    val field = runCatching { SocketMap::class.java.getDeclaredField("selector") }.getOrElse {
        error("SocketMap has no 'selector' field any more: update selectorInterest() in TestSupport.kt")
    }
    field.isAccessible = true
    val selector = field.get(map) as Selector
    return selector.keys().filter { it.isValid && it.interestOps() != 0 }
        .map { "${it.attachment() ?: it.channel()} still has interestOps=${it.interestOps()}" }
}

/** Suspends until the loop has begun a new pass, which brings the selector's interest up to date. */
suspend fun nextPass(map: SocketMap) = suspendCancellableCoroutine { cont ->
    // A timer set by a timer waits for the next pass.
    map.callLater(java.time.Duration.ZERO) { map.callLater(java.time.Duration.ZERO) { cont.resume(Unit) } }
}
