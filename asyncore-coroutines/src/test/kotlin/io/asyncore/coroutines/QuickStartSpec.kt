package io.asyncore.coroutines

import io.asyncore.SocketMap
import io.asyncore.coroutines.testing.LOOPBACK
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
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
})
