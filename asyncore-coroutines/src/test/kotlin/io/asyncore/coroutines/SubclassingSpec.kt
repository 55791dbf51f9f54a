package io.asyncore.coroutines

import io.asyncore.SocketMap
import io.asyncore.coroutines.testing.LOOPBACK
import io.asyncore.coroutines.testing.loopTest
import io.asyncore.coroutines.testing.pattern
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import java.nio.channels.SocketChannel
import kotlinx.coroutines.async

/** A protocol's connection type built on the suspending socket. */
private class LineSocket(channel: SocketChannel, map: SocketMap) : SuspendingSocket(channel, map) {
    val events = mutableListOf<String>()
    val causes = mutableListOf<Throwable?>()

    suspend fun readLine(): String = readUntil("\n", 1024).decodeToString()

    suspend fun writeLine(line: String) = write("$line\n".encodeToByteArray())

    override fun onClose(cause: Throwable?) {
        events += "closed(${cause?.javaClass?.simpleName})"
        causes += cause
    }
}

class SubclassingSpec : FunSpec({
    timeout = 60_000

    test("a subclass adds protocol functions and hears its close once, on the loop thread") {
        loopTest { map ->
            val server = SuspendingServer.bind(LOOPBACK, map)
            val accepted = async { server.accept() }
            val client = SuspendingSocket.connect(server.localAddress, map)
            val lines = accepted.await().detach().let { LineSocket(it.channel, map) }
            client.write("one\ntwo\n".encodeToByteArray())
            lines.readLine() shouldBe "one"
            lines.readLine() shouldBe "two"
            lines.writeLine("three")
            client.readUntil("\n", 10).decodeToString() shouldBe "three"
            lines.close()
            lines.close()
            map.close() // closing the map does not call the hook again
            lines.events shouldBe listOf("closed(null)")
        }
    }

    test("the close hook gets the failure that closed the socket") {
        loopTest { map ->
            val server = SuspendingServer.bind(LOOPBACK, map)
            val accepted = async { server.accept() }
            val client = SuspendingSocket.connect(server.localAddress, map)
            val lines = accepted.await().detach().let { LineSocket(it.channel, map) }
            lines.setWriteWaterMarks(Int.MAX_VALUE, Int.MAX_VALUE)
            lines.write(pattern(16 * 1024 * 1024)) // more than the kernel takes: the rest waits in the socket
            client.close() // unread input: the kernel resets the connection
            val e = runCatching { lines.flush() }.exceptionOrNull()
            e.shouldBeInstanceOf<SocketClosedException>().cause.shouldBeInstanceOf<java.io.IOException>()
            lines.causes.single().shouldBeInstanceOf<java.io.IOException>()
        }
    }
})
