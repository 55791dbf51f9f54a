package io.asyncore.coroutines

import io.asyncore.SocketMap
import io.asyncore.coroutines.testing.LOOPBACK
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import java.net.InetSocketAddress
import java.net.SocketAddress
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.launch

// The README's Kotlin quick start, with the address made a parameter so the test can use port 0.

/** README: "A Flow server". */
private suspend fun CoroutineScope.echoServer(address: SocketAddress, onListening: suspend (SocketAddress) -> Unit) {
    SuspendingServer.serve(address, onListening = onListening).collect { socket ->
        launch {
            socket.use {
                while (true) {
                    val data = it.readUpTo(8192) ?: break // the client closed its side
                    it.write(data)
                }
                it.flush()
            }
        }
    }
}

/** README: "A suspending client". */
private suspend fun echoClient(address: SocketAddress): String {
    val socket = SuspendingSocket.connect(address)
    socket.use {
        it.write("hello, asyncore\n".encodeToByteArray())
        return it.readUntil("\n", maxLength = 1024).decodeToString()
    }
}

/** README: "Datagrams", returning what it prints. */
private suspend fun CoroutineScope.datagramEcho(): String {
    val server = SuspendingDatagramSocket.bind(InetSocketAddress("127.0.0.1", 0))
    launch { server.datagrams().collect { d -> server.send(d.data, d.sender) } } // an echo server
    val client = SuspendingDatagramSocket.connect(server.localAddress!!)
    client.send("ping".encodeToByteArray())
    val printed = client.receive().data.decodeToString()
    client.close()
    server.close() // completes the flow
    return printed
}

class QuickStartSpec : FunSpec({
    timeout = 30_000

    test("the README's Flow server and suspending client talk to each other") {
        SocketMap().use { map ->
            map.runUntilComplete {
                val address = CompletableDeferred<SocketAddress>()
                val server = launch { echoServer(LOOPBACK) { address.complete(it) } }
                echoClient(address.await()) shouldBe "hello, asyncore"
                server.cancelAndJoin()
            }
        }
    }

    test("the README's datagram echo answers the client, and closing the server ends its flow") {
        SocketMap().use { map ->
            map.runUntilComplete { datagramEcho() } shouldBe "ping" // runUntilComplete returns only once the flow's coroutine ended
        }
    }
})
