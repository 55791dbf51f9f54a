package io.asyncore.reliability

import io.asyncore.SocketMap
import io.asyncore.coroutines.LoopThread
import io.asyncore.coroutines.SuspendingServer
import io.asyncore.coroutines.SuspendingSocket
import io.asyncore.coroutines.runUntilComplete
import io.asyncore.coroutines.testing.LOOPBACK
import io.asyncore.coroutines.testing.awaitCondition
import io.asyncore.coroutines.testing.echo
import io.kotest.assertions.withClue
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import java.net.SocketAddress
import java.util.concurrent.atomic.AtomicInteger
import java.util.zip.CRC32
import kotlin.random.Random
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Semaphore
import kotlinx.coroutines.sync.withPermit
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.yield

/**
 * N connections held open at the same time through the coroutine echo server (the `Flow` of
 * accepted connections), each sending a seeded random payload in uneven pieces and checking the
 * echo with a CRC32 and a length. The server runs on a [LoopThread], the clients on the test
 * thread's loop, so both cores work.
 *
 * Sizing: `-Dreliability.connections=N` (default 5,000; each needs two file descriptors here, as
 * both ends live in this JVM), `-Dreliability.seed=S`.
 */
class CoroutineEchoReliabilitySpec : FunSpec({
    timeout = 600_000

    test("5,000 concurrent connections held open at once through the Flow echo server, every echoed byte verified by CRC32") {
        val n = Integer.getInteger("reliability.connections", 5_000)
        val seed = java.lang.Long.getLong("reliability.seed", 20_261_122L)
        val held = AtomicInteger() // server-side connections open right now
        val allHeld = CompletableDeferred<Unit>()
        val allClosed = CompletableDeferred<Unit>()
        val address = CompletableDeferred<SocketAddress>()
        LoopThread.start("echo-server").use { server ->
            val serving = server.launch {
                SuspendingServer.serve(LOOPBACK, backlog = 4096, onListening = { address.complete(it) }).collect { socket ->
                    if (held.incrementAndGet() == n) allHeld.complete(Unit)
                    launch {
                        try {
                            socket.use { echo(it) }
                        } finally {
                            if (held.decrementAndGet() == 0 && allHeld.isCompleted) allClosed.complete(Unit)
                        }
                    }
                }
            }
            SocketMap().use { clients ->
                clients.runUntilComplete {
                    withTimeout((60 + n / 100).seconds) {
                        val target = address.await()
                        val connecting = Semaphore(256) // connects in flight, so the accept queue never overflows
                        val go = CompletableDeferred<Unit>()
                        val results = List(n) { i ->
                            async {
                                val socket = connecting.withPermit { SuspendingSocket.connect(target) }
                                socket.use {
                                    go.await()
                                    exchange(it, Random(seed + i))
                                }
                            }
                        }

                        // Every connection is open at both ends before any byte moves.
                        allHeld.await()
                        withContext(server.dispatcher) { server.map.size() } shouldBe n + 1 // and the listener
                        awaitCondition { clients.size() == n }
                        held.get() shouldBe n
                        go.complete(Unit)

                        val exchanges = results.awaitAll()
                        val broken = exchanges.filter { !it.intact }
                        withClue("${broken.size} of $n connections got a different echo back; the first ones") {
                            broken.take(5) shouldBe emptyList()
                        }
                        val bytes = exchanges.sumOf { it.sent.toLong() }
                        clients.size() shouldBe 0
                        allClosed.await() // the server closed each connection at our end of stream
                        withContext(server.dispatcher) { server.map.size() } shouldBe 1
                        serving.cancelAndJoin()
                        println("reliability: coroutine echo: $n concurrent connections held, $bytes echoed bytes verified")
                    }
                }
            }
        }
    }
})

private class Exchange(val sent: Int, val received: Int, val sentCrc: Long, val receivedCrc: Long) {
    val intact: Boolean get() = received == sent && receivedCrc == sentCrc

    override fun toString() = "sent $sent bytes (crc $sentCrc), echoed $received (crc $receivedCrc)"
}

/** Sends a seeded payload of a few KiB in uneven pieces while reading the echo; then ends the stream and reads to its end. */
private suspend fun exchange(socket: SuspendingSocket, rnd: Random): Exchange = coroutineScope {
    val payload = rnd.nextBytes(rnd.nextInt(1024, 8 * 1024))
    val pieces = rnd.nextLong()
    launch {
        val cut = Random(pieces)
        var offset = 0
        while (offset < payload.size) {
            val length = minOf(cut.nextInt(1, 1500), payload.size - offset)
            socket.write(payload, offset, length)
            offset += length
            if (cut.nextBoolean()) yield() // let the piece leave on its own
        }
        socket.shutdownOutput()
    }
    val sentCrc = CRC32().apply { update(payload) }.value
    val crc = CRC32()
    var received = 0
    while (true) {
        val bytes = socket.readUpTo(rnd.nextInt(1, 4096)) ?: break
        crc.update(bytes)
        received += bytes.size
    }
    Exchange(payload.size, received, sentCrc, crc.value)
}
