package io.asyncore.coroutines

import io.asyncore.SocketMap
import io.asyncore.coroutines.testing.LOOPBACK
import io.asyncore.coroutines.testing.awaitCondition
import io.asyncore.coroutines.testing.connectedPair
import io.asyncore.coroutines.testing.loopTest
import io.asyncore.coroutines.testing.nextPass
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.assertions.withClue
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.booleans.shouldBeFalse
import io.kotest.matchers.booleans.shouldBeTrue
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldStartWith
import io.kotest.matchers.types.shouldBeInstanceOf
import java.net.ConnectException
import java.net.SocketAddress
import java.time.Duration
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.asContextElement
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.future.asCompletableFuture
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout

class LoopDispatcherSpec : FunSpec({
    timeout = 60_000

    context("the dispatcher") {
        test("coroutines dispatched from another thread run on the loop thread") {
            loopTest { map ->
                val loopThread = Thread.currentThread()
                withContext(Dispatchers.Default) {
                    Thread.currentThread() shouldNotBe loopThread
                    withContext(map.asCoroutineDispatcher()) {
                        Thread.currentThread() shouldBe loopThread
                        map.inLoop().shouldBeTrue()
                    }
                }
            }
        }

        test("launch on the loop is queued: the new coroutine runs after its caller suspends") {
            loopTest {
                val order = mutableListOf<String>()
                val child = launch { order += "child" }
                order += "caller"
                child.join()
                order shouldBe listOf("caller", "child")
            }
        }

        test("a coroutine woken by its socket's readiness runs inside the read handler with its context elements, which leave the thread after it") {
            val tag = ThreadLocal<String?>()
            loopTest { map ->
                val (a, b) = connectedPair(map)
                val seen = CompletableDeferred<String?>()
                var insideHandler = false
                val reader = launch(tag.asContextElement("reader")) {
                    b.readUpTo(10)
                    // Resumed by the socket's own read handler, not by the task queue at the end of the pass.
                    insideHandler = Thread.currentThread().stackTrace.any { it.methodName == "handleRead" }
                    seen.complete(tag.get())
                    b.readUpTo(10) // suspends again: the element must leave the thread with it
                }
                nextPass(map)
                b.readInterested.shouldBeTrue()
                a.write("x".encodeToByteArray())
                seen.await() shouldBe "reader"
                insideHandler.shouldBeTrue()
                tag.get() shouldBe null
                a.close()
                reader.join()
                tag.get() shouldBe null
                b.close()
            }
        }

        test("dispatchers of one map are equal, of two maps are not") {
            SocketMap().use { a ->
                SocketMap().use { b ->
                    a.asCoroutineDispatcher() shouldBe a.asCoroutineDispatcher()
                    a.asCoroutineDispatcher() shouldNotBe b.asCoroutineDispatcher()
                }
            }
        }

        test("delay runs on the map's timers, in deadline order, on the loop thread") {
            loopTest { map ->
                val order = mutableListOf<String>()
                // Registered late first: the 380 ms between the deadlines outlast any pause between
                // the two registrations on a loaded machine (40 ms did not).
                val late = launch { delay(400); order += "late" }
                val early = launch { delay(20); order += "early" }
                awaitCondition { map.toString().contains(" 3 timers") } // two delays and the test's timeout
                early.join()
                late.join()
                order shouldBe listOf("early", "late")
                map.inLoop().shouldBeTrue()
            }
        }

        test("withTimeout fires from the map's timer and cancels the suspended call") {
            loopTest { map ->
                val never = CompletableDeferred<Unit>()
                val e = shouldThrow<TimeoutCancellationException> {
                    withTimeout(30) {
                        map.toString() shouldContain " 2 timers" // this timeout and the test's are map timers
                        never.await()
                    }
                }
                e.message!! shouldContain "30"
            }
        }

        test("cancelling a delay cancels its timer") {
            loopTest { map ->
                val sleeper = launch { delay(5_000) } // due before the test's timeout, so it heads the heap
                awaitCondition { map.toString().contains(" 2 timers") } // the delay and the test's timeout
                sleeper.cancel()
                sleeper.join()
                sleeper.isCancelled.shouldBeTrue()
                awaitCondition { map.toString().contains(" 1 timers") } // the cancelled timer is dropped
            }
        }
    }

    context("runBlocking") {
        test("returns the block's value after its children complete") {
            SocketMap().use { map ->
                var childDone = false
                val value = map.runUntilComplete {
                    launch { delay(10); childDone = true }
                    42
                }
                value shouldBe 42
                childDone.shouldBeTrue()
            }
        }

        test("rethrows the block's exception") {
            SocketMap().use { map ->
                shouldThrow<IllegalArgumentException> { map.runUntilComplete { throw IllegalArgumentException("boom") } }
                    .message shouldBe "boom"
            }
        }

        test("refuses to run inside the map's own loop") {
            SocketMap().use { map ->
                map.runUntilComplete {
                    shouldThrow<IllegalStateException> { map.runUntilComplete { } }.message!! shouldContain "would wait for itself"
                }
            }
        }

        test("can drive the same map again afterwards") {
            SocketMap().use { map ->
                map.runUntilComplete { delay(1); 1 } shouldBe 1
                map.runUntilComplete { delay(1); 2 } shouldBe 2
            }
        }
    }

    context("LoopThread") {
        test("runs launched coroutines on its own thread") {
            LoopThread.start("test-loop").use { loop ->
                val name = loop.async { Thread.currentThread().name }.asCompletableFuture().get(10, TimeUnit.SECONDS)
                name shouldStartWith "test-loop"
            }
        }

        test("cancelling it closes its sockets and servers, resumes their waiters and stops the thread") {
            val loop = LoopThread.start("closing-loop")
            val address = CompletableFuture<SocketAddress>()
            val readerError = CompletableFuture<Throwable?>()
            val serverError = CompletableFuture<Throwable?>()
            val sockets = CompletableFuture<Pair<SuspendingServer, SuspendingSocket>>()
            loop.launch {
                val server = SuspendingServer.bind(LOOPBACK)
                val connected = SuspendingServer.bind(LOOPBACK)
                val peer = async { connected.accept() }
                val client = SuspendingSocket.connect(connected.localAddress)
                peer.await()
                launch { serverError.complete(runCatching { server.accept() }.exceptionOrNull()) }
                launch { readerError.complete(runCatching { client.readUpTo(1) }.exceptionOrNull()) }
                awaitCondition { server.acceptInterested && client.readInterested }
                sockets.complete(server to client)
                address.complete(server.localAddress)
            }
            val listening = address.get(10, TimeUnit.SECONDS)
            withClue({ "the loop thread did not end: job=${loop.coroutineContext[kotlinx.coroutines.Job]} map=${loop.map}\n" + loopThreadStacks("closing-loop") }) {
                loop.close(Duration.ofSeconds(10)).shouldBeTrue()
            }
            val r = readerError.get(10, TimeUnit.SECONDS)
            (r is SocketClosedException || r is CancellationException).shouldBeTrue()
            val s = serverError.get(10, TimeUnit.SECONDS)
            (s is SocketClosedException || s is CancellationException).shouldBeTrue()
            sockets.get().first.isOpen.shouldBeFalse()
            sockets.get().second.isOpen.shouldBeFalse()
            // The listener is gone: connecting now is refused.
            loopTest { map -> shouldThrow<ConnectException> { SuspendingSocket.connect(listening, map) } }
        }

        test("close from the loop thread itself is refused with advice") {
            LoopThread.start().use { loop ->
                val e = loop.async { runCatching { loop.close() }.exceptionOrNull() }.asCompletableFuture().get(10, TimeUnit.SECONDS)
                e.shouldBeInstanceOf<IllegalStateException>().message!! shouldContain "cancel()"
            }
        }

        test("an idle loop thread waits without finishing") {
            LoopThread.start().use { loop ->
                loop.async { delay(20); "alive" }.asCompletableFuture().get(10, TimeUnit.SECONDS) shouldBe "alive"
                loop.map.isEmpty().shouldBeTrue()
                loop.coroutineContext[kotlinx.coroutines.Job]!!.isActive.shouldBeTrue()
            }
        }
    }
})

private fun loopThreadStacks(name: String): String =
    Thread.getAllStackTraces().filterKeys { it.name == name }.values.joinToString("\n---\n") { it.joinToString("\n  ") }
