package io.asyncore.coroutines

import io.asyncore.Dispatcher
import io.asyncore.DispatcherWithSend
import io.asyncore.SocketMap
import io.asyncore.coroutines.testing.LOOPBACK
import io.asyncore.coroutines.testing.echo
import io.asyncore.coroutines.testing.loopTest
import io.asyncore.coroutines.testing.pattern
import io.asyncore.testing.EchoHandler
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.booleans.shouldBeFalse
import io.kotest.matchers.shouldBe
import java.io.ByteArrayOutputStream
import java.net.SocketAddress
import java.nio.channels.ServerSocketChannel
import java.nio.channels.SocketChannel
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.launch

/** A classic listener; what to do with each accepted channel is up to [onAccepted]. */
private class CallbackServer(map: SocketMap, private val onAccepted: (SocketChannel) -> Unit) : Dispatcher(map) {
    init {
        createSocket()
        setReuseAddr()
        bind(LOOPBACK)
        listen(128)
    }

    val address: SocketAddress get() = (socket() as ServerSocketChannel).localAddress

    override fun handleAccepted(sock: SocketChannel, addr: SocketAddress) = onAccepted(sock)
}

/** A classic client: sends [payload], collects the same number of bytes back, then closes. */
private class CallbackClient(map: SocketMap, address: SocketAddress, private val payload: ByteArray) : DispatcherWithSend(map) {
    private val received = ByteArrayOutputStream()
    val done = CompletableDeferred<ByteArray>()

    init {
        createSocket()
        connect(address)
    }

    override fun handleConnect() {
        send(payload)
    }

    override fun handleRead() {
        received.write(recv(8192))
        if (received.size() >= payload.size) {
            done.complete(received.toByteArray())
            close()
        }
    }

    override fun handleClose() {
        done.complete(received.toByteArray())
        close()
    }

    override fun handleError(error: Throwable) {
        done.completeExceptionally(error)
        close()
    }
}

private suspend fun coroutineEcho(socket: SuspendingSocket) {
    socket.use {
        echo(it, readSize = 8192)
        it.flush()
    }
}

private fun CoroutineScope.coroutineEchoServer(map: SocketMap, address: CompletableDeferred<SocketAddress>) = launch {
    SuspendingServer.serve(LOOPBACK, map, onListening = { address.complete(it) }).collect { socket ->
        launch { coroutineEcho(socket) }
    }
}

private suspend fun coroutineClient(map: SocketMap, address: SocketAddress, payload: ByteArray): ByteArray =
    SuspendingSocket.connect(address, map).use { socket ->
        socket.write(payload)
        socket.readExactly(payload.size)
    }

class MixedMapSpec : FunSpec({
    timeout = 60_000

    test("coroutine clients against a callback echo server in the same map") {
        loopTest { map ->
            val server = CallbackServer(map) { EchoHandler(it, map) }
            val replies = List(20) { i ->
                async { pattern(10_000 + i, seed = i) to coroutineClient(map, server.address, pattern(10_000 + i, seed = i)) }
            }.awaitAll()
            replies.forEach { (sent, got) -> got shouldBe sent }
            server.close()
        }
    }

    test("callback clients against a coroutine Flow server in the same map") {
        loopTest { map ->
            val address = CompletableDeferred<SocketAddress>()
            val server = coroutineEchoServer(map, address)
            val clients = List(20) { i -> CallbackClient(map, address.await(), pattern(10_000 + i, seed = i)) }
            clients.forEachIndexed { i, c -> c.done.await() shouldBe pattern(10_000 + i, seed = i) }
            server.cancelAndJoin()
        }
    }

    test("one loop serves callback and coroutine connections at once, every byte verified") {
        loopTest { map ->
            val callbackServer = CallbackServer(map) { EchoHandler(it, map) }
            val address = CompletableDeferred<SocketAddress>()
            val coroutineServer = coroutineEchoServer(map, address)
            val targets = listOf(callbackServer.address, address.await())
            val callbackClients = (0 until 20).map { i -> CallbackClient(map, targets[i % 2], pattern(5_000, seed = i)) }
            val coroutineClients = (0 until 20).map { i -> async { coroutineClient(map, targets[i % 2], pattern(5_000, seed = 100 + i)) } }
            callbackClients.forEachIndexed { i, c -> c.done.await() shouldBe pattern(5_000, seed = i) }
            coroutineClients.forEachIndexed { i, c -> c.await() shouldBe pattern(5_000, seed = 100 + i) }
            coroutineServer.cancelAndJoin()
            callbackServer.close()
        }
    }

    test("bridge: a callback server hands each accepted channel to a coroutine handler") {
        loopTest { map ->
            val handled = mutableListOf<String>()
            val server = CallbackServer(map) { channel ->
                val socket = SuspendingSocket(channel, map) // on the loop thread, inside the handler
                launch {
                    socket.use {
                        val name = it.readUntil("\n", 100).decodeToString()
                        handled += name
                        it.write("hello $name\n".encodeToByteArray())
                        it.flush()
                    }
                }
            }
            val replies = List(5) { i ->
                async {
                    SuspendingSocket.connect(server.address, map).use {
                        it.write("c$i\n".encodeToByteArray())
                        it.readUntil("\n", 100).decodeToString()
                    }
                }
            }.awaitAll()
            replies shouldBe List(5) { "hello c$it" }
            handled.sorted() shouldBe List(5) { "c$it" }
            server.close()
        }
    }

    test("bridge: a coroutine hands its connection, with the bytes it read ahead, to a callback dispatcher") {
        loopTest { map ->
            val server = SuspendingServer.bind(LOOPBACK, map)
            val handedOver = async {
                val socket = server.accept()
                socket.readUntil("\n", 100).decodeToString() shouldBe "ECHO"
                val (channel, readAhead) = socket.detach().let { it.channel to it.readAhead }
                socket.isOpen.shouldBeFalse()
                EchoHandler(channel, map).send(readAhead) // the callback side answers the early bytes first
                readAhead.decodeToString()
            }
            val client = SuspendingSocket.connect(server.localAddress, map)
            client.write("ECHO\nearly".encodeToByteArray())
            handedOver.await() shouldBe "early"
            client.readExactly(5).decodeToString() shouldBe "early"
            client.write("late".encodeToByteArray())
            client.readExactly(4).decodeToString() shouldBe "late"
            client.close()
            server.close()
        }
    }
})
