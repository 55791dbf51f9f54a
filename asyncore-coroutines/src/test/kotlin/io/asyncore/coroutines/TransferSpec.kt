package io.asyncore.coroutines

import io.asyncore.coroutines.testing.LOOPBACK
import io.asyncore.coroutines.testing.awaitCondition
import io.asyncore.coroutines.testing.connectedPair
import io.asyncore.coroutines.testing.loopTest
import io.asyncore.coroutines.testing.nextPass
import io.asyncore.coroutines.testing.pattern
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.ints.shouldBeLessThanOrEqual
import io.kotest.matchers.longs.shouldBeLessThanOrEqual
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.nio.ByteBuffer
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/**
 * The bulk paths: `read(ByteBuffer)` lets the kernel write straight into the caller's buffer when
 * nothing is buffered, and `transferTo` moves a stream through the loop's buffer without arrays.
 */
class TransferSpec : FunSpec({
    timeout = 60_000

    /** Reads exactly [n] bytes from [socket] through [read] (ByteBuffer). */
    suspend fun readFully(socket: SuspendingSocket, n: Int): ByteArray {
        val dst = ByteBuffer.allocate(n)
        while (dst.hasRemaining()) {
            check(socket.read(dst) > 0) { "end of stream after ${dst.position()} of $n bytes" }
        }
        return dst.array()
    }

    test("a read into a ByteBuffer with nothing buffered takes from the kernel only what fits; the socket buffers nothing") {
        loopTest { map ->
            val (a, b) = connectedPair(map)
            a.write(pattern(100))
            a.flush()
            val dst = ByteBuffer.allocateDirect(10)
            var got = 0
            while (got == 0) {
                got = b.read(dst)
            }
            got shouldBe 10
            b.bufferedInput shouldBe 0 // the other 90 bytes are still the kernel's
            b.inputBufferCapacity shouldBe 0
            val rest = readFully(b, 90)
            val all = ByteArray(10).also { dst.flip().get(it) } + rest
            all shouldBe pattern(100)
            a.close()
            b.read(ByteBuffer.allocate(1)) shouldBe -1
            b.close()
        }
    }

    test("a read into a ByteBuffer returns bytes already buffered before reading the kernel") {
        loopTest { map ->
            val (a, b) = connectedPair(map)
            a.write("line\nrest".encodeToByteArray())
            a.flush()
            b.readUntil("\n", 100).decodeToString() shouldBe "line"
            val dst = ByteBuffer.allocate(64)
            while (dst.position() < 4) {
                b.read(dst)
            }
            String(dst.array(), 0, dst.position()) shouldBe "rest"
            a.close()
            b.close()
        }
    }

    test("transferTo echoes 8 MiB byte for byte and returns the count at end of stream") {
        loopTest(30.seconds) { map ->
            val (client, server) = connectedPair(map)
            val total = 8 shl 20
            val echoed = async { server.transferTo(server).also { server.flush() } }
            val received = async { readFully(client, total) }
            val data = pattern(total)
            val chunk = 50_000
            var sent = 0
            while (sent < total) {
                val n = minOf(chunk, total - sent)
                client.write(data, sent, n)
                sent += n
            }
            client.shutdownOutput()
            received.await() shouldBe pattern(total)
            echoed.await() shouldBe total.toLong()
            client.close()
            server.close()
        }
    }

    test("transferTo sends the bytes already read ahead first") {
        loopTest { map ->
            val (client, server) = connectedPair(map)
            client.write("head\nbody and tail".encodeToByteArray())
            client.shutdownOutput()
            server.readUntil("\n", 100).decodeToString() shouldBe "head"
            server.transferTo(server) shouldBe "body and tail".length.toLong()
            server.flush()
            readFully(client, "body and tail".length).decodeToString() shouldBe "body and tail"
            client.close()
            server.close()
        }
    }

    test("transferTo to another socket of the same map: a proxy that ends when its source ends") {
        loopTest(30.seconds) { map ->
            val (a, b) = connectedPair(map)
            val (c, d) = connectedPair(map)
            val total = 1 shl 20
            val proxy = async { b.transferTo(c).also { c.shutdownOutput() } }
            val received = async { readFully(d, total) }
            a.write(pattern(total, seed = 3))
            a.shutdownOutput()
            received.await() shouldBe pattern(total, seed = 3)
            proxy.await() shouldBe total.toLong()
            d.readUpTo(1) shouldBe null // the proxy passed the end of stream on
            listOf(a, b, c, d).forEach { it.close() }
        }
    }

    test("transferTo to a socket of another map goes through arrays, hopping between the loops, and delivers every byte") {
        LoopThread.start("other-map").use { other ->
            loopTest(30.seconds) { map ->
                val (a, b) = connectedPair(map)
                val listener = SuspendingServer.bind(LOOPBACK, map)
                val accepted = async { listener.accept() }
                val c = SuspendingSocket.connect(listener.localAddress, other.map)
                val d = accepted.await()
                listener.close()
                val total = 300_000
                val proxy = async { b.transferTo(c).also { c.shutdownOutput() } }
                val received = async { readFully(d, total) }
                a.write(pattern(total, seed = 5))
                a.shutdownOutput()
                received.await() shouldBe pattern(total, seed = 5)
                proxy.await() shouldBe total.toLong()
                listOf(a, b, c, d).forEach { it.close() }
            }
        }
    }

    test("while the peer reads nothing, transferTo buffers at most the high-water mark plus one read, and stops reading") {
        loopTest(30.seconds) { map ->
            val (client, server) = connectedPair(map)
            val total = 16 shl 20 // far more than the kernel's buffers of both directions hold
            val echo = launch { server.transferTo(server) }
            val writer = launch { client.write(pattern(total)) } // the client reads nothing meanwhile
            awaitCondition { server.writerWaiting } // the echo waits for its output to drain
            server.pendingOutput shouldBeLessThanOrEqual 64L * 1024 + 65536
            val reads = server.readCalls
            repeat(5) { nextPass(map) }
            server.readCalls shouldBe reads // above the mark it no longer reads
            server.pendingOutput shouldBeLessThanOrEqual 64L * 1024 + 65536
            val received = async { readFully(client, total) }
            writer.join()
            client.shutdownOutput()
            received.await() shouldBe pattern(total)
            echo.join()
            client.close()
            server.close()
        }
    }

    test("a transferTo cancelled while it waits for input loses no byte: the next read gets what arrives") {
        loopTest { map ->
            val (client, server) = connectedPair(map)
            val transfer = launch { server.transferTo(server) }
            nextPass(map)
            server.readInterested shouldBe true
            transfer.cancel()
            transfer.join()
            server.readInterested shouldBe false
            client.write("after".encodeToByteArray())
            client.flush()
            server.readExactly(5).decodeToString() shouldBe "after"
            client.close()
            server.close()
        }
    }

    test("transferTo while another read is in progress fails at once, saying so") {
        loopTest { map ->
            val (client, server) = connectedPair(map)
            val reading = launch { server.readUpTo(10) }
            nextPass(map)
            val e = shouldThrow<IllegalStateException> { server.transferTo(server) }
            e.message!! shouldContain "another read is in progress"
            reading.cancel()
            client.close()
            server.close()
        }
    }

    test("transferTo from a caller on another dispatcher runs on the loop and returns the count") {
        loopTest { map ->
            val (client, server) = connectedPair(map)
            client.write(pattern(70_000))
            client.shutdownOutput()
            val count = withContext(Dispatchers.IO) { server.transferTo(server) }
            count shouldBe 70_000L
            server.flush()
            readFully(client, 70_000) shouldBe pattern(70_000)
            client.close()
            server.close()
        }
    }
})
