package io.asyncore.coroutines

import io.asyncore.coroutines.testing.LOOPBACK
import io.asyncore.coroutines.testing.connectedPair
import io.asyncore.coroutines.testing.loopTest
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.nulls.shouldBeNull
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout

/** `close()` from a thread off the loop takes effect at once, and `awaitClosed()` waits for the loop to release the channel. */
class LifecycleSpec : FunSpec({
    timeout = 60_000

    test("close() off the loop: isOpen is false when it returns, calls fail at once, and awaitClosed returns once the channel is released") {
        LoopThread.start("lifecycle").use { loop ->
            val sockets = CompletableDeferred<Pair<SuspendingSocket, SuspendingSocket>>()
            loop.launch { sockets.complete(connectedPair(loop.map)) }
            runBlocking {
                withTimeout(10_000) {
                    val (a, b) = sockets.await()
                    val reader = loop.async { runCatching { b.readUpTo(1) }.exceptionOrNull() }
                    a.isOpen shouldBe true
                    a.close() // from this thread, not the loop's
                    a.isOpen shouldBe false
                    shouldThrow<SocketClosedException> { a.writeString("too late") }
                    a.awaitClosed().shouldBeNull() // from kotlinx's runBlocking: off the loop
                    a.localAddress.shouldBeNull() // the channel is closed
                    reader.await().shouldBeNull() // the peer saw the end of the stream
                    b.readUpTo(1).shouldBeNull()
                    b.close()
                    b.awaitClosed().shouldBeNull()
                }
            }
        }
    }

    test("close() from a plain thread while a reader waits: the reader gets SocketClosedException, awaitClosed returns to every waiter") {
        loopTest { map ->
            val (a, b) = connectedPair(map)
            val reader = async { runCatching { a.readUpTo(1) }.exceptionOrNull() }
            val waiters = List(3) { async { a.awaitClosed() } }
            val closedOff = CompletableFuture<Boolean>()
            Thread({ a.close(); closedOff.complete(a.isOpen) }, "closer").start()
            while (!closedOff.isDone) kotlinx.coroutines.yield() // the loop keeps turning meanwhile
            closedOff.get(0, TimeUnit.SECONDS) shouldBe false
            waiters.awaitAll() shouldBe listOf(null, null, null)
            reader.await().shouldBeInstanceOf<SocketClosedException>()
            b.close()
        }
    }

    test("awaitClosed on a socket closed before returns at once") {
        loopTest { map ->
            val (a, b) = connectedPair(map)
            a.close()
            a.awaitClosed().shouldBeNull()
            b.close()
        }
    }

    test("a server closed off the loop is not open when close() returns") {
        LoopThread.start("server-lifecycle").use { loop ->
            val bound = CompletableDeferred<SuspendingServer>()
            loop.launch { bound.complete(SuspendingServer.bind(LOOPBACK, loop.map)) }
            runBlocking {
                withTimeout(10_000) {
                    val server = bound.await()
                    val accepting = loop.async { runCatching { server.accept() }.exceptionOrNull() }
                    server.isOpen shouldBe true
                    server.close()
                    server.isOpen shouldBe false
                    accepting.await().shouldBeInstanceOf<SocketClosedException>()
                }
            }
        }
    }
})
