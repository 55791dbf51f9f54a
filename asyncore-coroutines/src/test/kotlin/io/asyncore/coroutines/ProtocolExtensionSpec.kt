package io.asyncore.coroutines

import io.asyncore.coroutines.testing.connectedPair
import io.asyncore.coroutines.testing.loopTest
import io.asyncore.coroutines.testing.pattern
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import java.io.IOException
import kotlinx.coroutines.async
import kotlinx.coroutines.launch

/** A protocol's functions, as extension functions: they work on every socket the library hands out. */
private suspend fun SuspendingSocket.readRecord(): String? = readUpTo(1)?.let { size ->
    readExactly(size[0].toInt()).decodeToString()
}

private suspend fun SuspendingSocket.writeRecord(record: String) {
    val bytes = record.encodeToByteArray()
    write(byteArrayOf(bytes.size.toByte()) + bytes)
}

/**
 * `SuspendingSocket` is final: protocols add extension functions, and per-connection cleanup waits
 * in `awaitClosed()` (what an `onClose` override did when the class was open).
 */
class ProtocolExtensionSpec : FunSpec({
    timeout = 60_000

    test("a protocol's extension functions work on accepted and connected sockets alike, and hear the close once") {
        loopTest { map ->
            val (client, records) = connectedPair(map) // connected, and accepted
            val closes = mutableListOf<Throwable?>()
            val cleanup = launch { closes += records.awaitClosed() }
            client.writeRecord("one")
            client.writeRecord("two")
            records.readRecord() shouldBe "one"
            records.readRecord() shouldBe "two"
            records.writeRecord("three")
            client.readRecord() shouldBe "three"
            records.close()
            records.close()
            cleanup.join()
            map.close() // closing the map does not close it again
            closes shouldBe listOf(null)
            records.awaitClosed() shouldBe null // closed already: returns at once
        }
    }

    test("awaitClosed returns the failure that closed the socket") {
        loopTest { map ->
            val (client, socket) = connectedPair(map)
            val cause = async { socket.awaitClosed() }
            socket.setWriteWaterMarks(Int.MAX_VALUE, Int.MAX_VALUE)
            socket.write(pattern(16 * 1024 * 1024)) // more than the kernel takes: the rest waits in the socket
            client.close() // unread input: the kernel resets the connection
            val e = runCatching { socket.flush() }.exceptionOrNull()
            e.shouldBeInstanceOf<SocketClosedException>().cause.shouldBeInstanceOf<IOException>()
            cause.await().shouldBeInstanceOf<IOException>()
        }
    }

    test("a detached socket's awaitClosed returns null, and its close leaves the handed-over channel open") {
        loopTest { map ->
            val (client, socket) = connectedPair(map)
            val detached = socket.detach()
            socket.awaitClosed() shouldBe null
            socket.close()
            detached.channel.isOpen shouldBe true
            detached.channel.close()
            client.close()
        }
    }
})
