package io.asyncore.coroutines

import io.asyncore.Dispatcher
import io.asyncore.LeakReport
import io.asyncore.LoopHealthListener
import io.asyncore.SocketMap
import io.asyncore.coroutines.testing.LOOPBACK
import io.asyncore.coroutines.testing.awaitCondition
import io.asyncore.coroutines.testing.connectedPair
import io.asyncore.coroutines.testing.loopTest
import io.asyncore.withFullLeakDetection
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.mockk.every
import io.mockk.mockk
import io.mockk.verify
import java.nio.ByteBuffer
import java.nio.channels.SocketChannel
import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.async

/** A listener that counts its leak reports, so a test can wait for one; MockK verifies the calls. */
private fun countingListener(reports: AtomicInteger): LoopHealthListener {
    val listener = mockk<LoopHealthListener>(relaxed = true)
    every { listener.leaked(any(), any()) } answers { reports.incrementAndGet(); Unit }
    return listener
}

/** Connects a pair and returns the accepted side; the connecting side is dropped open here, unreferenced. */
private suspend fun CoroutineScope.peerOfADroppedSocket(map: SocketMap): SuspendingSocket = connectedPair(map).second

/** Accepts one connection whose other side is a plain dispatcher that leaves the map open and is dropped here. */
private suspend fun peerOfADroppedDispatcher(map: SocketMap): SuspendingSocket {
    val server = SuspendingServer.bind(LOOPBACK, map)
    val client = SocketChannel.open(server.localAddress) // blocking connect: the backlog takes it
    object : Dispatcher(client, map) {
        override fun readable() = false

        override fun writable() = false
    }.delChannel()
    return server.accept().also { server.close() }
}

/** Asks the collector to run, yielding to the loop between tries, until [done] holds; fails after 10 s. */
private suspend fun collectUntil(done: () -> Boolean) {
    val deadline = System.nanoTime() + 10_000_000_000
    awaitCondition {
        check(System.nanoTime() - deadline < 0) { "not reported within 10 s" }
        System.gc()
        done()
    }
}

/**
 * Leak detection under the real loop and real sockets: a socket or dispatcher dropped while open
 * is reported once to the map's listener (a MockK fake), and the peer sees end of stream.
 */
class LeakDetectionSpec : FunSpec({
    timeout = 30_000

    test("a SuspendingSocket dropped without close() is reported once, and its dispatcher leaves the map closed") {
        val reports = AtomicInteger()
        val listener = countingListener(reports)
        withFullLeakDetection {
            loopTest { map ->
                map.setHealthListener(listener)
                val peer = peerOfADroppedSocket(map)
                collectUntil { reports.get() >= 1 && map.size() == 1 }
                map.stats().leaks() shouldBe 1
                peer.close()
            }
        }
        verify(exactly = 1) { listener.leaked(any(), any()) }
        verify(exactly = 1) {
            listener.leaked(any(), match<LeakReport> { it.leaked == SuspendingSocket::class.java.name && "127.0.0.1" in it.channel })
        }
    }

    test("a dispatcher dropped after delChannel() with its channel open is reported once, and its peer sees end of stream") {
        val reports = AtomicInteger()
        val listener = countingListener(reports)
        withFullLeakDetection {
            loopTest { map ->
                map.setHealthListener(listener)
                val peer = peerOfADroppedDispatcher(map)
                val read = async { peer.read(ByteBuffer.allocate(1)) }
                collectUntil { reports.get() >= 1 && read.isCompleted }
                read.await() shouldBe -1
                peer.close()
            }
        }
        verify(exactly = 1) {
            listener.leaked(any(), match<LeakReport> { report ->
                report.createdAt.any { it.methodName.contains("peerOfADroppedDispatcher") }
            })
        }
    }

    test("sockets closed, or detached to other code, are never reported") {
        val reports = AtomicInteger()
        val listener = countingListener(reports)
        withFullLeakDetection {
            loopTest { map ->
                map.setHealthListener(listener)
                val (a, b) = connectedPair(map)
                a.close()
                b.close()
                val (c, d) = connectedPair(map)
                val detached = c.detach()
                d.close()
                peerOfADroppedSocket(map).close() // the one leak, to know the collector has looked
                collectUntil { reports.get() >= 1 }
                detached.channel.isOpen shouldBe true
                detached.channel.close()
            }
        }
        verify(exactly = 1) { listener.leaked(any(), any()) }
    }
})
