package io.asyncore.coroutines

import io.asyncore.coroutines.testing.LOOPBACK
import io.asyncore.coroutines.testing.awaitCondition
import io.asyncore.coroutines.testing.loopTest
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.booleans.shouldBeFalse
import io.kotest.matchers.booleans.shouldBeTrue
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import java.net.BindException
import java.net.ConnectException
import java.net.InetSocketAddress
import java.net.SocketAddress
import java.net.SocketException
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.time.Duration.Companion.milliseconds
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.async
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeout

class SuspendingServerSpec : FunSpec({
    timeout = 60_000

    test("accept returns a connected socket served by the same map") {
        loopTest { map ->
            val server = SuspendingServer.bind(LOOPBACK, map)
            (server.localAddress as InetSocketAddress).port shouldNotBe 0
            val accepted = async { server.accept() }
            val client = SuspendingSocket.connect(server.localAddress, map)
            val peer = accepted.await()
            peer.map shouldBe map
            peer.remoteAddress shouldBe client.localAddress
            server.close()
        }
    }

    test("accept times out, takes no connection, and the next accept gets the next client") {
        loopTest { map ->
            val server = SuspendingServer.bind(LOOPBACK, map)
            shouldThrow<TimeoutCancellationException> { withTimeout(50.milliseconds) { server.accept() } }
            server.acceptInterested.shouldBeFalse()
            val client = SuspendingSocket.connect(server.localAddress, map)
            server.accept().remoteAddress shouldBe client.localAddress
        }
    }

    test("a cancelled accept leaves the connection in the backlog for the next accept") {
        loopTest { map ->
            val server = SuspendingServer.bind(LOOPBACK, map)
            val first = launch { server.accept() }
            awaitCondition { server.acceptInterested }
            first.cancelAndJoin()
            server.acceptInterested.shouldBeFalse()
            val client = SuspendingSocket.connect(server.localAddress, map)
            server.accept().remoteAddress shouldBe client.localAddress
        }
    }

    test("closing the server resumes a waiting accept with SocketClosedException and refuses new clients") {
        loopTest { map ->
            val server = SuspendingServer.bind(LOOPBACK, map)
            val waiting = async { runCatching { server.accept() }.exceptionOrNull() }
            awaitCondition { server.acceptInterested }
            server.close()
            waiting.await().shouldBeInstanceOf<SocketClosedException>().message!! shouldContain "while accept() waited"
            server.isOpen.shouldBeFalse()
            shouldThrow<ConnectException> { SuspendingSocket.connect(server.localAddress, map) }
            shouldThrow<SocketClosedException> { server.accept() }
        }
    }

    test("binding an address in use fails with a BindException naming it") {
        loopTest { map ->
            val first = SuspendingServer.bind(LOOPBACK, map)
            val e = shouldThrow<BindException> { SuspendingServer.bind(first.localAddress, map) }
            e.message!! shouldContain "127.0.0.1"
            map.size() shouldBe 1
        }
    }

    test("a second concurrent accept fails at once, saying why") {
        loopTest { map ->
            val server = SuspendingServer.bind(LOOPBACK, map)
            val first = launch { server.accept() }
            awaitCondition { server.acceptInterested }
            shouldThrow<IllegalStateException> { server.accept() }.message!! shouldContain "one acceptor at a time"
            first.cancelAndJoin()
            server.close()
        }
    }

    test("a slow collector turns accept interest off; waiting clients queue in the backlog and are served in order") {
        loopTest { map ->
            val server = SuspendingServer.bind(LOOPBACK, map)
            val gate = CompletableDeferred<Unit>()
            val seen = mutableListOf<SocketAddress?>()
            val collector = launch {
                server.connections().collect { socket ->
                    seen += socket.remoteAddress
                    if (seen.size == 1) gate.await()
                }
            }
            val first = SuspendingSocket.connect(server.localAddress, map)
            awaitCondition { seen.size == 1 }
            server.acceptInterested.shouldBeFalse()
            // These complete in the kernel (the backlog) while nobody accepts.
            val others = List(3) { SuspendingSocket.connect(server.localAddress, map) }
            seen shouldHaveSize 1
            gate.complete(Unit)
            awaitCondition { seen.size == 4 }
            seen shouldBe listOf(first.localAddress) + others.map { it.localAddress }
            collector.cancelAndJoin()
        }
    }

    test("cancelling the collection closes the listener") {
        loopTest { map ->
            val server = SuspendingServer.bind(LOOPBACK, map)
            val collector = launch { server.connections().collect { } }
            awaitCondition { server.acceptInterested }
            collector.cancelAndJoin()
            server.isOpen.shouldBeFalse()
            shouldThrow<ConnectException> { SuspendingSocket.connect(server.localAddress, map) }
        }
    }

    test("ending the collection early closes the listener but not the connections handed out") {
        loopTest { map ->
            val server = SuspendingServer.bind(LOOPBACK, map)
            val got = async { server.connections().take(2).toList() }
            val clients = List(2) { SuspendingSocket.connect(server.localAddress, map) }
            val sockets = got.await()
            server.isOpen.shouldBeFalse()
            sockets.forEach { it.isOpen.shouldBeTrue() }
            sockets[0].write("still open".encodeToByteArray())
            clients[0].readExactly(10).decodeToString() shouldBe "still open"
        }
    }

    test("closing the server completes its flow normally") {
        loopTest { map ->
            val server = SuspendingServer.bind(LOOPBACK, map)
            val collected = async { server.connections().toList() }
            awaitCondition { server.acceptInterested }
            server.close()
            collected.await() shouldBe emptyList()
        }
    }

    test("a connection accepted for a caller cancelled on its way back is closed, not leaked") {
        val executor = Executors.newSingleThreadExecutor()
        try {
            loopTest { map ->
                val server = SuspendingServer.bind(LOOPBACK, map)
                val caller = launch(executor.asCoroutineDispatcher()) { server.accept() }
                awaitCondition { server.acceptInterested }
                // Hold the caller's thread, so the accepted socket's way back waits behind it.
                val release = CountDownLatch(1)
                executor.execute { release.await(10, TimeUnit.SECONDS) }
                val client = SuspendingSocket.connect(server.localAddress, map)
                awaitCondition { map.size() == 3 } // listener, client and the accepted socket
                caller.cancel()
                release.countDown()
                caller.join()
                caller.isCancelled.shouldBeTrue()
                awaitCondition { map.size() == 2 }
                client.readUpTo(1) shouldBe null // the server side was closed: end of stream
            }
        } finally {
            executor.shutdownNow()
        }
    }

    test("serve is cold: each collection opens its own listener and reports its address") {
        loopTest { map ->
            val addresses = mutableListOf<SocketAddress>()
            val flow = SuspendingServer.serve(LOOPBACK, map) { addresses += it }
            repeat(2) {
                val got = async { flow.take(1).toList() }
                awaitCondition { addresses.size == it + 1 }
                val client = SuspendingSocket.connect(addresses.last(), map)
                got.await().single().remoteAddress shouldBe client.localAddress
                client.close()
            }
            addresses[0] shouldNotBe addresses[1]
            // Refused, or reset if the kernel queued the connect before the listener's close took effect.
            shouldThrow<SocketException> { SuspendingSocket.connect(addresses[1], map) }
        }
    }

    test("a server flow collected on Dispatchers.Default serves clients on the loop") {
        loopTest { map ->
            val address = CompletableDeferred<SocketAddress>()
            val collector = launch(Dispatchers.Default) {
                SuspendingServer.serve(LOOPBACK, map, onListening = { address.complete(it) }).collect { socket ->
                    socket.write(socket.readExactly(5))
                    socket.flush()
                    socket.close()
                }
            }
            val client = SuspendingSocket.connect(address.await(), map)
            client.write("hello".encodeToByteArray())
            client.readExactly(5).decodeToString() shouldBe "hello"
            collector.cancelAndJoin()
        }
    }
})
