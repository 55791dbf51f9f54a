package io.asyncore.coroutines

import io.asyncore.coroutines.testing.connectedPair
import io.asyncore.coroutines.testing.loopTest
import io.asyncore.coroutines.testing.pattern
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.longs.shouldBeLessThanOrEqual
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.launch

/**
 * A read that did not fill the room it offered found the kernel's queue empty, so the next read
 * waits for readiness instead of making a system call that would return nothing. In a ping-pong
 * that halves the reads (one per message instead of two), and no byte may be missed by it.
 */
class ReadCallsSpec : FunSpec({
    timeout = 30_000

    test("a ping-pong makes one read system call per message on each side, not two") {
        loopTest { map ->
            val (client, server) = connectedPair(map)
            val echo = launch {
                while (true) {
                    val data = server.readUpTo(65536) ?: break
                    server.write(data)
                }
            }
            val rounds = 200
            val message = pattern(64)
            repeat(rounds) {
                client.write(message)
                client.readExactly(64) shouldBe message
            }
            client.shutdownOutput()
            echo.join()
            // One read per message, plus the end of stream and a first read that found nothing.
            server.readCalls shouldBeLessThanOrEqual rounds + 2L
            client.readCalls shouldBeLessThanOrEqual rounds + 2L
            client.close()
            server.close()
        }
    }

    test("bytes already queued when a read follows a short read are returned: readiness reports them") {
        loopTest { map ->
            val (a, b) = connectedPair(map)
            a.write("first".encodeToByteArray())
            a.flush()
            b.readUpTo(100)?.decodeToString() shouldBe "first" // a short read: the socket now waits for readiness
            a.write("second".encodeToByteArray())
            a.flush() // in b's kernel queue before b asks for it
            b.readUpTo(100)?.decodeToString() shouldBe "second"
            a.close()
            b.readUpTo(100) shouldBe null
            b.close()
        }
    }
})
