package io.asyncore.reliability

import io.asyncore.SocketMap
import io.asyncore.coroutines.SocketClosedException
import io.asyncore.coroutines.SuspendingSocket
import io.asyncore.coroutines.testing.awaitCondition
import io.asyncore.coroutines.testing.loopTest
import io.asyncore.coroutines.testing.nextPass
import io.asyncore.testing.SelectorKeys
import io.kotest.assertions.withClue
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.ints.shouldBeGreaterThanOrEqual
import io.kotest.matchers.shouldBe
import java.io.EOFException
import java.io.IOException
import java.net.InetSocketAddress
import java.net.StandardSocketOptions
import java.nio.ByteBuffer
import java.nio.channels.ServerSocketChannel
import java.nio.channels.SocketChannel
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicInteger
import kotlin.random.Random
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.job
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.yield

/**
 * Cancels pending reads and writes at random moments while traffic flows both ways on several
 * connections, then checks that every stream arrived exactly as sent and that no waiter, interest
 * or reader claim was left behind.
 *
 * Each direction carries a seeded byte stream where every byte depends on its position, so a lost
 * or repeated chunk shows up at once. Writers run on the loop, where the documented contract is
 * exact: a write that reached the loop sent or buffered all its bytes, cancelled or not. Readers run
 * on the loop for half the directions and on `Dispatchers.Default` for the other half (the hop path).
 *
 * Sizing: `-Dreliability.cancellations=N` (default 10,000), `-Dreliability.seed=S`.
 */
class CancellationReliabilitySpec : FunSpec({
    val target = Integer.getInteger("reliability.cancellations", 10_000)
    val seed = java.lang.Long.getLong("reliability.seed", 20_261_122L)
    val chaosBudget = maxOf(30, target / 300).seconds // about 10 times what a run needs here
    timeout = (chaosBudget + 90.seconds).inWholeMilliseconds

    test("10,000 random cancellations of pending reads and writes with traffic flowing lose or repeat no byte and leak no continuation") {
        loopTest(chaosBudget + 60.seconds) { map ->
            val pairs = List(PAIRS) { smallBufferPair(map) }
            val sockets = pairs.flatMap { (a, b) -> listOf(a, b) }
            val directions = pairs.flatMapIndexed { i, (a, b) ->
                listOf(
                    Direction("pair $i a->b", a, b, readerOnLoop = i % 2 == 0, seed = seed * 31 + 2 * i),
                    Direction("pair $i b->a", b, a, readerOnLoop = i % 2 == 1, seed = seed * 31 + 2 * i + 1),
                )
            }
            val stats = Stats(target, TimeSource.Monotonic.markNow() + chaosBudget)
            coroutineScope {
                for ((i, d) in directions.withIndex()) {
                    launch { writer(d, stats, Random(seed + 1000 + i)) }
                    if (d.readerOnLoop) {
                        launch { reader(d, stats, Random(seed + 2000 + i)) }
                    } else {
                        launch(Dispatchers.Default) { reader(d, stats, Random(seed + 2000 + i)) }
                    }
                }
            }

            val cancellations = stats.reads.get() + stats.writes.get()
            withClue("cancellations within $chaosBudget (${stats.reads} reads, ${stats.writes} writes)") {
                cancellations shouldBeGreaterThanOrEqual target
                stats.reads.get() shouldBeGreaterThanOrEqual target / 4
                stats.writes.get() shouldBeGreaterThanOrEqual target / 4
            }
            val broken = directions.mapNotNull { d ->
                val sent = d.finalSent.await()
                when {
                    d.mismatch != null -> "${d.name} (reader ${d.readerPlace}): ${d.mismatch}"
                    d.received != sent -> "${d.name} (reader ${d.readerPlace}): received ${d.received} of $sent bytes"
                    else -> null
                }
            }
            broken shouldBe emptyList()

            // Nothing left behind: every socket has all its coroutines gone, so none may still wait,
            // hold the reader slot, ask the loop for interest, or hold bytes.
            coroutineContext.job.children.filter { it.isActive }.toList().shouldBeEmpty()
            nextPass(map)
            val leaks = sockets.flatMap { s -> leaksOf(s) } +
                map.dispatchers().filter { it.readable() || it.writable() }.map { "$it still asks the loop for interest" } +
                SelectorKeys.withInterest(map)
            leaks.shouldBeEmpty()
            map.size() shouldBe sockets.size
            for (s in sockets) {
                s.readUpTo(1) shouldBe null // the reader slot is free, and the peer's stream ended with nothing extra
                s.close()
            }
            awaitCondition { map.size() == 0 }

            val bytes = directions.sumOf { it.received }
            println(
                "reliability: coroutine cancellations: $cancellations cancellations (${stats.reads} reads, ${stats.writes} writes) " +
                    "of suspended calls over ${directions.size} streams, $bytes bytes verified, ${leaks.size} leaked continuations or interests",
            )
        }
    }
})

private const val PAIRS = 4
private const val KERNEL_BUFFER = 16 * 1024
private const val MAX_CHUNK = 16 * 1024

/** A connected pair with small kernel buffers, so writers fill them and suspend often. On the loop thread. */
private fun smallBufferPair(map: SocketMap): Pair<SuspendingSocket, SuspendingSocket> {
    ServerSocketChannel.open().use { listener ->
        listener.setOption(StandardSocketOptions.SO_RCVBUF, KERNEL_BUFFER)
        listener.bind(InetSocketAddress("127.0.0.1", 0))
        val client = SocketChannel.open()
        client.setOption(StandardSocketOptions.SO_RCVBUF, KERNEL_BUFFER)
        client.setOption(StandardSocketOptions.SO_SNDBUF, KERNEL_BUFFER)
        client.connect(listener.localAddress) // loopback: completes without an accept
        val accepted = listener.accept()
        accepted.setOption(StandardSocketOptions.SO_SNDBUF, KERNEL_BUFFER)
        val a = SuspendingSocket(client, map)
        val b = SuspendingSocket(accepted, map)
        a.setWriteWaterMarks(1024, 4096)
        b.setWriteWaterMarks(1024, 4096)
        return a to b
    }
}

private fun leaksOf(s: SuspendingSocket): List<String> = buildList {
    if (s.readInterested) add("$s: a read continuation or read interest is left")
    if (s.writerWaiting) add("$s: a write continuation is left")
    if (s.writeInterested) add("$s: write interest is left")
    if (s.bufferedInput != 0) add("$s: ${s.bufferedInput} bytes buffered and never read")
    if (s.pendingOutput != 0L) add("$s: ${s.pendingOutput} bytes never sent")
}

/** Counts cancellations that hit a suspended call; says when to stop. */
private class Stats(val target: Int, val deadline: TimeSource.Monotonic.ValueTimeMark) {
    val reads = AtomicInteger()
    val writes = AtomicInteger()
    private val stop = AtomicBoolean(false)

    val stopped: Boolean
        get() {
            if (!stop.get() && (enough() || deadline.hasPassedNow())) stop.set(true)
            return stop.get()
        }

    private fun enough() = reads.get() + writes.get() >= target && reads.get() >= target / 4 && writes.get() >= target / 4
}

/** One direction of a pair: the stream [from] writes and [to] reads. */
private class Direction(
    val name: String,
    val from: SuspendingSocket,
    val to: SuspendingSocket,
    val readerOnLoop: Boolean,
    val seed: Long,
) {
    val readerPlace: String get() = if (readerOnLoop) "on the loop" else "on Dispatchers.Default"

    /** Bytes handed to writes that reached the loop (loop thread only). */
    var sent = 0L
    val finalSent = CompletableDeferred<Long>()

    /** Bytes received and checked so far (the reader's coroutines only, one at a time). */
    @Volatile
    var received = 0L

    @Volatile
    var mismatch: String? = null

    /** The stream's byte at [position]: a mix of seed and position, so a shifted stream never lines up. */
    fun byteAt(position: Long): Byte {
        var z = seed + position * -0x61c8864680b583ebL
        z = (z xor (z ushr 30)) * -0x40a7b892e31b1a47L
        z = (z xor (z ushr 27)) * -0x6b2fb644ecceee15L
        return (z xor (z ushr 31)).toByte()
    }

    fun chunk(length: Int): ByteArray = ByteArray(length) { byteAt(sent + it) }

    fun verify(bytes: ByteArray, length: Int = bytes.size) {
        for (i in 0 until length) {
            if (mismatch == null && bytes[i] != byteAt(received + i)) {
                mismatch = "byte ${received + i}: got ${bytes[i]}, expected ${byteAt(received + i)} (lost or repeated bytes)"
            }
        }
        received += length
    }
}

/** Writes random chunks on the loop, cancelling some at random moments; then flushes and ends the stream. */
private suspend fun CoroutineScope.writer(d: Direction, stats: Stats, rnd: Random) {
    while (!stats.stopped) {
        val chunk = d.chunk(rnd.nextInt(1, MAX_CHUNK + 1))
        when (rnd.nextInt(4)) {
            0 -> d.from.write(chunk)
            1 -> try {
                withTimeout(rnd.nextLong(1, 4)) { d.from.write(chunk) }
            } catch (e: TimeoutCancellationException) {
                stats.writes.incrementAndGet()
            }
            else -> {
                var hit = false
                val job = launch(start = CoroutineStart.UNDISPATCHED) {
                    try {
                        d.from.write(chunk)
                    } catch (e: CancellationException) {
                        hit = true
                        throw e
                    }
                }
                repeat(rnd.nextInt(8)) { if (job.isActive) yield() }
                job.cancelAndJoin()
                if (hit) stats.writes.incrementAndGet()
            }
        }
        // The documented contract: a write that reached the loop sent or buffered all its bytes,
        // even when cancelled while waiting for the buffer to drain.
        d.sent += chunk.size
    }
    d.from.flush() // also proves the writer slot is free: a leaked waiter would make this throw
    d.from.shutdownOutput()
    d.finalSent.complete(d.sent)
}

/** Reads with random calls, cancelling some at random moments; after the stop, reads to the end of the stream. */
private suspend fun CoroutineScope.reader(d: Direction, stats: Stats, rnd: Random) {
    var eof = false
    while (!eof && !stats.stopped) {
        val op = rnd.nextInt(4)
        val size = rnd.nextInt(1, 2 * MAX_CHUNK)
        val delimiter = rnd.nextInt(256).toByte()
        when (rnd.nextInt(4)) {
            0 -> eof = readOnce(d, op, size, delimiter)
            1 -> try {
                withTimeout(rnd.nextLong(1, 4)) { eof = readOnce(d, op, size, delimiter) }
            } catch (e: TimeoutCancellationException) {
                stats.reads.incrementAndGet()
            }
            else -> {
                var hit = false
                val job = launch(start = CoroutineStart.UNDISPATCHED) {
                    try {
                        eof = readOnce(d, op, size, delimiter)
                    } catch (e: CancellationException) {
                        hit = true
                        throw e
                    }
                }
                repeat(rnd.nextInt(8)) { if (job.isActive) yield() }
                job.cancelAndJoin()
                if (hit) stats.reads.incrementAndGet()
            }
        }
    }
    while (true) {
        val bytes = d.to.readUpTo(64 * 1024) ?: break
        d.verify(bytes)
    }
}

/** One read of kind [op]; checks what it returns. True at end of stream. */
private suspend fun readOnce(d: Direction, op: Int, size: Int, delimiter: Byte): Boolean {
    when (op) {
        0 -> {
            val bytes = d.to.readUpTo(size) ?: return true
            d.verify(bytes)
        }
        1 -> {
            val bytes = try {
                d.to.readExactly(size)
            } catch (e: EOFException) {
                return true
            }
            d.verify(bytes)
        }
        2 -> {
            val bytes = try {
                d.to.readUntil(byteArrayOf(delimiter), maxLength = 4096)
            } catch (e: EOFException) {
                return true
            } catch (e: SocketClosedException) {
                throw e
            } catch (e: IOException) {
                if (e.message?.startsWith("no delimiter") != true) throw e
                return false // no delimiter within maxLength: nothing consumed, by contract
            }
            d.verify(bytes)
            d.verify(byteArrayOf(delimiter))
        }
        else -> {
            val buffer = ByteBuffer.allocate(size)
            val n = d.to.read(buffer)
            if (n < 0) return true
            d.verify(buffer.array(), n)
        }
    }
    return false
}
