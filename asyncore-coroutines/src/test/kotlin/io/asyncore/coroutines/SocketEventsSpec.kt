package io.asyncore.coroutines

import io.asyncore.coroutines.testing.LOOPBACK
import io.asyncore.coroutines.testing.connectedPair
import io.asyncore.coroutines.testing.loopTest
import io.asyncore.coroutines.testing.pattern
import io.asyncore.SocketMap
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.booleans.shouldBeFalse
import io.kotest.matchers.booleans.shouldBeTrue
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import java.io.IOException
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.async
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.yield

/**
 * The socket's bytes go through its dispatcher's recv and send: end of stream and a gone peer, which
 * the dispatcher reports through handleClose(), reach readers and writers as the channel's own
 * calls would report them.
 */
class SocketEventsSpec : FunSpec({
    timeout = 60_000

    test("end of stream reaches the reader as -1 and leaves the socket open for writing") {
        loopTest { map ->
            val (a, b) = connectedPair(map)
            b.shutdownOutput()
            a.readUpTo(10) shouldBe null
            a.isOpen.shouldBeTrue()
            a.write("still here".encodeToByteArray())
            b.readExactly(10).decodeToString() shouldBe "still here"
        }
    }

    test("a write after the peer reset throws IOException, not a close, and so does the next; the socket stays open") {
        loopTest { map ->
            val (a, b) = connectedPair(map)
            a.write("never read".encodeToByteArray())
            a.flush()
            b.close() // with unread input, the kernel answers with a reset
            while (runCatching { a.write("more".encodeToByteArray()) }.isSuccess) {
                yield() // until the reset has arrived
            }
            repeat(2) {
                val e = shouldThrow<IOException> { a.write("more".encodeToByteArray()) }
                (e is SocketClosedException).shouldBeFalse()
                a.isOpen.shouldBeTrue()
                a.pendingOutput shouldBe 0 // nothing queued for a peer that is gone
                a.writeInterested.shouldBeFalse()
            }
            a.close()
        }
    }

    test("the first write after connect goes straight to the kernel") {
        loopTest { map ->
            val server = SuspendingServer.bind(LOOPBACK, map)
            val accepted = async { server.accept() }
            val client = SuspendingSocket.connect(server.localAddress, map)
            client.write("hello".encodeToByteArray()) // runs inside the connect event: connected by then
            client.pendingOutput shouldBe 0
            accepted.await().readExactly(5).decodeToString() shouldBe "hello"
            server.close()
        }
    }

    test("in poll mode, a peer gone while queued output drains closes the socket and resumes the writer") {
        pollLoopTest { map ->
            val (a, b) = connectedPair(map)
            a.setWriteWaterMarks(Int.MAX_VALUE, Int.MAX_VALUE)
            a.write(pattern(16 * 1024 * 1024)) // more than the kernel takes: the rest waits in the socket
            b.close() // unread input: the kernel resets the connection
            shouldThrow<SocketClosedException> { a.flush() }.message!! shouldContain "while a write waited"
            a.isOpen.shouldBeFalse()
            map.size() shouldBe 0
        }
    }

    test("in select mode, the same failure reaches the writer as the cause of the close") {
        loopTest { map ->
            val (a, b) = connectedPair(map)
            a.setWriteWaterMarks(Int.MAX_VALUE, Int.MAX_VALUE)
            a.write(pattern(16 * 1024 * 1024))
            b.close()
            shouldThrow<SocketClosedException> { a.flush() }.cause.shouldBeInstanceOf<IOException>()
            a.isOpen.shouldBeFalse()
        }
    }
})

/** [loopTest], with the map driven in poll order (`usePoll = true`). */
@OptIn(ExperimentalCoroutinesApi::class)
private fun <T> pollLoopTest(timeout: Duration = 10.seconds, block: suspend CoroutineScope.(SocketMap) -> T): T =
    SocketMap().use { map ->
        val result = CoroutineScope(map.asCoroutineDispatcher()).async { withTimeout(timeout) { block(map) } }
        while (!result.isCompleted) {
            map.runPass(null, true)
        }
        result.getCompleted()
    }
