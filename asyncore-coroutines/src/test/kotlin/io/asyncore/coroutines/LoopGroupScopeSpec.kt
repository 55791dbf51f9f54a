package io.asyncore.coroutines

import io.asyncore.coroutines.testing.LOOPBACK
import io.asyncore.coroutines.testing.awaitCondition
import io.asyncore.coroutines.testing.loopTest
import io.asyncore.coroutines.testing.pattern
import io.asyncore.LoopGroup
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import java.net.SocketAddress
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.util.Collections
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch
import kotlinx.coroutines.flow.toList

/** Echoes until end of stream, checking after every step that it still runs on its socket's loop. */
private suspend fun confinedEcho(socket: SuspendingSocket, strayed: MutableList<String>) {
    while (true) {
        if (!socket.map.inLoop()) strayed += Thread.currentThread().name
        val data = socket.readUpTo(4096)
        if (!socket.map.inLoop()) strayed += Thread.currentThread().name
        if (data == null) break
        socket.write(data)
    }
}

private fun openFileLimit(): Long = Files.readAllLines(Path.of("/proc/self/limits"))
    .first { it.startsWith("Max open files") }
    .substringAfter("Max open files").trim().split(Regex("\\s+"))[0]
    .let { if (it == "unlimited") Long.MAX_VALUE else it.toLong() }

class LoopGroupScopeSpec : FunSpec({
    timeout = 120_000

    test("each connection is served by the loop the chooser picked, and its coroutine stays on that loop") {
        val loops = LoopGroupScope(LoopGroup(2))
        val strayed = Collections.synchronizedList(mutableListOf<String>())
        val threads = Collections.synchronizedSet(mutableSetOf<String>())
        val address = CompletableDeferred<SocketAddress>()
        loops.serve(LOOPBACK, onListening = { address.complete(it) }) { socket ->
            threads += Thread.currentThread().name
            confinedEcho(socket, strayed)
        }
        loopTest(30.seconds) { map ->
            val target = address.await()
            repeat(20) { i ->
                SuspendingSocket.connect(target, map).use { client ->
                    client.write(pattern(100, seed = i))
                    client.readExactly(100).contentEquals(pattern(100, seed = i)) shouldBe true
                }
            }
        }
        loops.close(Duration.ofSeconds(20)) shouldBe true
        loops.group.servedCounts().toList() shouldBe listOf(10L, 10L)
        threads.map { it.substringAfterLast("-loop-").substringBefore(" ") }.toSet() shouldBe setOf("0", "1")
        strayed shouldBe emptyList()
    }

    test("5,000 concurrent byte-exact echo connections over 2 loops") {
        val connections = 5_000
        val limit = openFileLimit()
        if (limit < 2L * connections + 500) {
            println("SKIPPED: needs ${2 * connections + 500} open files (both ends in this JVM), the limit is $limit: raise ulimit -n")
            return@test
        }
        val loops = LoopGroupScope(LoopGroup(2))
        val address = CompletableDeferred<SocketAddress>()
        loops.serve(LOOPBACK, onListening = { address.complete(it) }) { socket ->
            while (true) {
                val data = socket.readUpTo(4096) ?: break
                socket.write(data)
            }
        }
        loopTest(90.seconds) { map ->
            val target = address.await()
            val allVerified = CompletableDeferred<Unit>()
            var verified = 0
            var atOnce = 0
            val results = List(connections) { i ->
                async {
                    val payload = pattern(1_000, seed = i)
                    SuspendingSocket.connect(target, map).use { client ->
                        client.write(payload)
                        val same = client.readExactly(payload.size).contentEquals(payload)
                        if (++verified == connections) {
                            atOnce = map.size()
                            allVerified.complete(Unit)
                        }
                        allVerified.await() // stay connected until every echo is checked: all 5,000 at once
                        same
                    }
                }
            }
            allVerified.await()
            atOnce shouldBe connections
            results.awaitAll().all { it } shouldBe true
        }
        loops.group.servedCounts().toList() shouldBe listOf(2_500L, 2_500L)
        loops.close(Duration.ofSeconds(20)) shouldBe true
    }

    test("cancelling the scope closes the listener and the connections, and ends every loop") {
        val loops = LoopGroupScope(LoopGroup(2), grace = Duration.ofSeconds(5))
        val address = CompletableDeferred<SocketAddress>()
        val served = CompletableDeferred<Unit>()
        loops.serve(LOOPBACK, onListening = { address.complete(it) }) { socket ->
            served.complete(Unit)
            socket.readUpTo(10) // waits until the scope is cancelled
        }
        loopTest(30.seconds) { map ->
            SuspendingSocket.connect(address.await(), map).use { client ->
                served.await()
                loops.cancel()
                client.readUpTo(10) shouldBe null // end of stream: the server side closed
            }
        }
        loops.group.awaitTermination(Duration.ofSeconds(20)) shouldBe true
        loops.group.isRunning shouldBe false
    }

    test("the connections flow completes normally when the group stops, and a client can pick a loop") {
        val loops = LoopGroupScope(LoopGroup(2))
        loopTest(30.seconds) { map ->
            val address = CompletableDeferred<SocketAddress>()
            val collected = async {
                loops.connections(LOOPBACK, onListening = { address.complete(it) }).toList().onEach { it.close() }.size
            }
            val target = address.await()
            val clientOnGroup = loops.connect(target)
            (clientOnGroup.map in loops.group.loops()) shouldBe true
            clientOnGroup.close()
            awaitCondition { loops.group.servedCounts().sum() == 1L }
            loops.group.shutdown(Duration.ofSeconds(5))
            collected.await() shouldBe 1
        }
        loops.close(Duration.ofSeconds(20)) shouldBe true
    }

    test("with reusePort every loop listens on the port, the kernel spreads the connects, and each coroutine stays on the loop that accepted it") {
        val loops = LoopGroupScope(LoopGroup(2))
        val strayed = Collections.synchronizedList(mutableListOf<String>())
        val threads = Collections.synchronizedSet(mutableSetOf<String>())
        val address = CompletableDeferred<SocketAddress>()
        val serving = loops.serve(LOOPBACK, reusePort = true, onListening = { address.complete(it) }) { socket ->
            threads += Thread.currentThread().name
            confinedEcho(socket, strayed)
        }
        loopTest(60.seconds) { map ->
            val target = address.await()
            val connections = 400
            val results = List(connections) { i ->
                async {
                    val payload = pattern(1_000, seed = i)
                    SuspendingSocket.connect(target, map).use { client ->
                        client.write(payload)
                        client.readExactly(payload.size).contentEquals(payload)
                    }
                }
            }
            results.awaitAll().all { it } shouldBe true
        }
        serving.isCancelled shouldBe false
        loops.close(Duration.ofSeconds(20)) shouldBe true
        val counts = loops.group.servedCounts()
        counts.sum() shouldBe 400L
        // The kernel hashes each connect's address pair: about 200 each, never exactly (10 standard deviations of room).
        (counts[0] >= 100 && counts[1] >= 100) shouldBe true
        threads.map { it.substringAfterLast("-loop-").substringBefore(" ") }.toSet() shouldBe setOf("0", "1")
        strayed shouldBe emptyList()
    }

    test("with reusePort the flow completes once the group's stop has closed every listener") {
        val loops = LoopGroupScope(LoopGroup(2))
        loopTest(30.seconds) { map ->
            val address = CompletableDeferred<SocketAddress>()
            val collected = async {
                loops.connections(LOOPBACK, reusePort = true, onListening = { address.complete(it) })
                    .toList().onEach { it.close() }.size
            }
            val target = address.await()
            repeat(8) { SuspendingSocket.connect(target, map).close() }
            awaitCondition { loops.group.servedCounts().sum() == 8L }
            loops.group.shutdown(Duration.ofSeconds(5))
            collected.await() shouldBe 8
            shouldThrow<java.net.ConnectException> { SuspendingSocket.connect(target, map) }
        }
        loops.close(Duration.ofSeconds(20)) shouldBe true
    }

    test("a connection's coroutine that throws on one loop ends alone: the other loop and the listener go on") {
        val loops = LoopGroupScope(LoopGroup(2))
        val address = CompletableDeferred<SocketAddress>()
        val serving = loops.serve(LOOPBACK, onListening = { address.complete(it) }) { socket ->
            val data = socket.readUpTo(4096) ?: return@serve
            if (data.decodeToString() == "boom") throw IllegalStateException("boom, on purpose")
            socket.write(data)
            while (true) {
                val more = socket.readUpTo(4096) ?: break
                socket.write(more)
            }
        }
        loopTest(30.seconds) { map ->
            val target = address.await()
            SuspendingSocket.connect(target, map).use { doomed -> // one loop
                SuspendingSocket.connect(target, map).use { other -> // the other: round robin
                    other.write("fine".encodeToByteArray())
                    other.readExactly(4).decodeToString() shouldBe "fine"
                    doomed.write("boom".encodeToByteArray())
                    doomed.readUpTo(10) shouldBe null // its socket was closed when its coroutine failed
                    other.write("still".encodeToByteArray())
                    other.readExactly(5).decodeToString() shouldBe "still"
                }
            }
            repeat(2) { i ->
                SuspendingSocket.connect(target, map).use { next ->
                    next.write("next $i".encodeToByteArray())
                    next.readExactly(6).decodeToString() shouldBe "next $i"
                }
            }
        }
        serving.isActive shouldBe true
        loops.group.isRunning shouldBe true
        loops.group.failure() shouldBe null
        loops.close(Duration.ofSeconds(20)) shouldBe true
    }

    test("launchOn runs a connection's coroutine on its socket's loop, whatever the collector's dispatcher") {
        val loops = LoopGroupScope(LoopGroup(2))
        val ranOn = Collections.synchronizedList(mutableListOf<Boolean>())
        loopTest(30.seconds) { map ->
            val address = CompletableDeferred<SocketAddress>()
            val server = launch { // on the test's own map, not a loop of the group
                loops.connections(LOOPBACK, onListening = { address.complete(it) }).collect { socket ->
                    loops.launchOn(socket) { ranOn += it.map.inLoop() && it.map in loops.group.loops() }
                }
            }
            repeat(4) { SuspendingSocket.connect(address.await(), map).close() }
            awaitCondition { ranOn.size == 4 }
            server.cancel()
        }
        ranOn shouldBe listOf(true, true, true, true)
        loops.close(Duration.ofSeconds(20)) shouldBe true
    }
})
