package io.asyncore.reliability

import io.asyncore.coroutines.SuspendingServer
import io.asyncore.coroutines.SuspendingSocket
import io.asyncore.coroutines.testing.LOOPBACK
import io.asyncore.coroutines.testing.echo
import io.asyncore.coroutines.testing.loopTest
import io.asyncore.coroutines.testing.pattern
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import java.net.SocketAddress
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.launch

class EchoLoadSpec : FunSpec({
    timeout = 120_000

    test("1,000 concurrent coroutine clients against a Flow echo server in one loop, every byte verified") {
        val clients = 1_000
        val size = 2_000
        loopTest(60.seconds) { map ->
            val address = CompletableDeferred<SocketAddress>()
            val server = launch {
                SuspendingServer.serve(LOOPBACK, map, backlog = 1_024, onListening = { address.complete(it) }).collect { socket ->
                    launch { socket.use { echo(it) } }
                }
            }
            val target = address.await()
            val mismatches = List(clients) { i ->
                async {
                    val payload = pattern(size, seed = i)
                    SuspendingSocket.connect(target, map).use { socket ->
                        socket.write(payload)
                        socket.shutdownOutput()
                        val echoed = socket.readExactly(size)
                        val rest = socket.readUpTo(1) // the server closes after our end of stream
                        if (echoed.contentEquals(payload) && rest == null) 0 else 1
                    }
                }
            }.awaitAll().sum()
            mismatches shouldBe 0
            server.cancelAndJoin()
            map.size() shouldBe 0
        }
    }
})
