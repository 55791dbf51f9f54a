package io.asyncore.coroutines

import io.asyncore.coroutines.testing.awaitCondition
import io.asyncore.coroutines.testing.loopTest
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.booleans.shouldBeFalse
import io.kotest.matchers.booleans.shouldBeTrue
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import java.net.DatagramPacket
import java.net.DatagramSocket
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.SocketAddress
import java.net.UnixDomainSocketAddress
import java.net.UnknownHostException
import java.nio.ByteBuffer
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeoutOrNull

class SuspendingDatagramSocketSpec : FunSpec({
    timeout = 60_000

    for ((family, host) in listOf("IPv4" to "127.0.0.1", "IPv6" to "::1")) {
        val any: SocketAddress = InetSocketAddress(host, 0)

        context(family) {
            test("a connected client and a bound server exchange datagrams, and the server sees the sender") {
                loopTest { map ->
                    val server = SuspendingDatagramSocket.bind(any, map)
                    (server.localAddress as InetSocketAddress).port shouldNotBe 0
                    val client = SuspendingDatagramSocket.connect(server.localAddress!!, map)
                    client.remoteAddress shouldBe server.localAddress
                    client.send("ping".encodeToByteArray())
                    val request = server.receive()
                    request.data.decodeToString() shouldBe "ping"
                    request.sender shouldBe client.localAddress
                    request.truncated.shouldBeFalse()
                    server.send("pong".encodeToByteArray(), request.sender)
                    val reply = client.receive()
                    reply.data.decodeToString() shouldBe "pong"
                    reply.sender shouldBe server.localAddress
                    client.close()
                    server.close()
                }
            }

            test("an unconnected socket sends to any target and receives from any sender, empty datagrams too") {
                loopTest { map ->
                    val a = SuspendingDatagramSocket.bind(any, map)
                    val b = SuspendingDatagramSocket.bind(any, map)
                    a.remoteAddress shouldBe null
                    a.send(ByteBuffer.allocate(0), b.localAddress)
                    b.receive() shouldBe Datagram(ByteArray(0), a.localAddress!!)
                    b.send(byteArrayOf(1, 2, 3, 4, 5), a.localAddress, offset = 1, length = 3)
                    a.receive().data.toList() shouldBe listOf<Byte>(2, 3, 4)
                }
            }

            test("a connected socket receives only from its peer") {
                loopTest { map ->
                    val peer = SuspendingDatagramSocket.bind(any, map)
                    val stranger = SuspendingDatagramSocket.bind(any, map)
                    val client = SuspendingDatagramSocket.bind(any, map)
                    client.connect(peer.localAddress!!)
                    stranger.send("stranger".encodeToByteArray(), client.localAddress)
                    peer.send("peer".encodeToByteArray(), client.localAddress)
                    val got = client.receive()
                    got.data.decodeToString() shouldBe "peer"
                    got.sender shouldBe peer.localAddress
                    withTimeoutOrNull(100.milliseconds) { client.receive() } shouldBe null
                }
            }

            test("a datagram larger than maxDatagramSize is truncated to it and says so") {
                loopTest { map ->
                    val small = SuspendingDatagramSocket.bind(any, map, maxDatagramSize = 8)
                    small.maxDatagramSize shouldBe 8
                    val sender = SuspendingDatagramSocket.bind(any, map)
                    sender.send("0123456789abcdef".encodeToByteArray(), small.localAddress)
                    sender.send("01234567".encodeToByteArray(), small.localAddress)
                    sender.send("012345678".encodeToByteArray(), small.localAddress)
                    val long = small.receive()
                    long.data.decodeToString() shouldBe "01234567"
                    long.truncated.shouldBeTrue()
                    long.toString() shouldContain "truncated"
                    val exact = small.receive()
                    exact.data.decodeToString() shouldBe "01234567"
                    exact.truncated.shouldBeFalse()
                    small.receive().truncated.shouldBeTrue() // one byte over
                }
            }

            test("the largest datagram of the default maximum arrives whole") {
                loopTest { map ->
                    val server = SuspendingDatagramSocket.bind(any, map)
                    val client = SuspendingDatagramSocket.connect(server.localAddress!!, map)
                    val big = ByteArray(SuspendingDatagramSocket.DEFAULT_MAX_DATAGRAM_SIZE) { it.toByte() }
                    client.send(big)
                    val got = server.receive()
                    got.truncated.shouldBeFalse()
                    got.data.contentEquals(big).shouldBeTrue()
                }
            }

            test("a cross-dispatcher receive cancelled while waiting leaves the next datagram for the next receive") {
                loopTest { map ->
                    val server = SuspendingDatagramSocket.bind(any, map)
                    val client = SuspendingDatagramSocket.connect(server.localAddress!!, map)
                    val waiting = launch(Dispatchers.Default) { server.receive() }
                    awaitCondition { server.receiveInterested }
                    waiting.cancelAndJoin()
                    awaitCondition { !server.receiveInterested }
                    client.send("kept".encodeToByteArray())
                    withContext(Dispatchers.Default) { server.receive() }.data.decodeToString() shouldBe "kept"
                }
            }

            test("receives cancelled at random moments lose no datagram") {
                loopTest(30.seconds) { map ->
                    val server = SuspendingDatagramSocket.bind(any, map)
                    val client = SuspendingDatagramSocket.connect(server.localAddress!!, map)
                    val received = mutableListOf<Int>()
                    val total = 200
                    repeat(total) { i ->
                        val receiver = launch(Dispatchers.Default) { server.receive().data[0].toInt().let { synchronized(received) { received += it } } }
                        client.send(byteArrayOf(i.toByte()))
                        if (i % 2 == 0) awaitCondition { server.holdsDatagram || receiver.isCompleted }
                        receiver.cancelAndJoin()
                    }
                    while (true) {
                        val next = withTimeoutOrNull(200.milliseconds) { server.receive() } ?: break
                        received += next.data[0].toInt()
                    }
                    received.map { it and 0xFF }.sorted() shouldBe (0 until total).toList()
                }
            }

            test("datagrams() is a cold flow of the incoming datagrams, completed by close") {
                loopTest { map ->
                    val server = SuspendingDatagramSocket.bind(any, map)
                    val client = SuspendingDatagramSocket.connect(server.localAddress!!, map)
                    for (word in listOf("a", "b", "c", "d")) client.send(word.encodeToByteArray())
                    server.datagrams().take(2).toList().map { it.data.decodeToString() } shouldBe listOf("a", "b")
                    server.isOpen.shouldBeTrue() // ending the collection leaves the socket open
                    val rest = async { server.datagrams().toList().map { it.data.decodeToString() } }
                    awaitCondition { server.receiveInterested }
                    server.close()
                    rest.await() shouldBe listOf("c", "d")
                }
            }
        }
    }

    test("close from another thread wakes a suspended receive with SocketClosedException") {
        loopTest { map ->
            val socket = SuspendingDatagramSocket.bind(InetSocketAddress("127.0.0.1", 0), map)
            val waiting = async(start = CoroutineStart.UNDISPATCHED) { runCatching { socket.receive() }.exceptionOrNull() }
            awaitCondition { socket.receiveInterested }
            withContext(Dispatchers.Default) { socket.close() }
            waiting.await().shouldBeInstanceOf<SocketClosedException>().message shouldBe
                "the datagram socket was closed while a receive waited"
            socket.isOpen.shouldBeFalse()
            socket.localAddress shouldBe null
            shouldThrow<SocketClosedException> { socket.send(ByteArray(1), InetSocketAddress("127.0.0.1", 9)) }
                .message!! shouldContain "send on a closed datagram socket"
            shouldThrow<SocketClosedException> { socket.receive() }
        }
    }

    test("an idle socket asks the loop for nothing, and a cancelled receive withdraws its interest") {
        loopTest { map ->
            val socket = SuspendingDatagramSocket.bind(InetSocketAddress("127.0.0.1", 0), map)
            socket.receiveInterested.shouldBeFalse()
            socket.sendInterested.shouldBeFalse()
            val waiting = launch { socket.receive() }
            awaitCondition { socket.receiveInterested }
            waiting.cancelAndJoin()
            socket.receiveInterested.shouldBeFalse()
            socket.holdsDatagram.shouldBeFalse()
        }
    }

    test("a second concurrent receive fails at once, saying why") {
        loopTest { map ->
            val socket = SuspendingDatagramSocket.bind(InetSocketAddress("127.0.0.1", 0), map)
            val first = launch { socket.receive() }
            awaitCondition { socket.receiveInterested }
            shouldThrow<IllegalStateException> { socket.receive() }.message!! shouldContain "one receiver at a time"
            first.cancelAndJoin()
        }
    }

    test("a receive whose cross-dispatcher caller is cancelled on its way back still hands the datagram over") {
        loopTest { map ->
            val server = SuspendingDatagramSocket.bind(InetSocketAddress("127.0.0.1", 0), map)
            val client = SuspendingDatagramSocket.connect(server.localAddress!!, map)
            SteppedDispatcher().use { caller ->
                var got: Datagram? = null
                val receiver = launch(caller) { got = server.receive() }
                caller.runNext() // the receiver starts and goes to the loop to wait
                awaitCondition { server.receiveInterested }
                client.send("hello".encodeToByteArray())
                awaitCondition { caller.pending == 1 } // the wait is over, the datagram held
                caller.runNext() // the receiver goes to the loop to take it
                awaitCondition { caller.pending == 1 } // it is due back with it
                server.holdsDatagram.shouldBeFalse()
                receiver.cancel()
                caller.runNext()
                receiver.join()
                val datagram = got ?: withTimeoutOrNull(1.seconds) { server.receive() }
                datagram?.data?.decodeToString() shouldBe "hello"
            }
        }
    }

    test("plain java.net sockets and the suspending socket understand each other") {
        loopTest { map ->
            val server = SuspendingDatagramSocket.bind(InetSocketAddress("127.0.0.1", 0), map)
            DatagramSocket(0, InetAddress.getByName("127.0.0.1")).use { plain ->
                plain.send(DatagramPacket("hi".encodeToByteArray(), 2, server.localAddress))
                val d = server.receive()
                d.sender shouldBe plain.localSocketAddress
                server.send("ho".encodeToByteArray(), d.sender)
                val answer = DatagramPacket(ByteArray(16), 16)
                withContext(Dispatchers.IO) { plain.soTimeout = 10_000; plain.receive(answer) }
                String(answer.data, 0, answer.length) shouldBe "ho"
            }
        }
    }

    context("bad input fails at once with a message that says what to do") {
        val v4 = InetSocketAddress("127.0.0.1", 0)

        test("maxDatagramSize out of range") {
            loopTest { map ->
                for (bad in listOf(0, -1, 65_528)) {
                    shouldThrow<IllegalArgumentException> { SuspendingDatagramSocket.bind(v4, map, maxDatagramSize = bad) }
                        .message shouldBe "maxDatagramSize must be between 1 and 65527 (the largest UDP payload, over IPv6), " +
                        "got $bad; the default, 65507, fits any IPv4 datagram"
                }
                SuspendingDatagramSocket.bind(v4, map, maxDatagramSize = 65_527).close()
            }
        }

        test("Unix-domain addresses: the JDK has no Unix-domain datagram sockets") {
            loopTest { map ->
                val unix = UnixDomainSocketAddress.of("/tmp/asyncore-no-such.sock")
                shouldThrow<IllegalArgumentException> { SuspendingDatagramSocket.bind(unix, map) }.message!!.let {
                    it shouldContain "JDK 17's DatagramChannel has no Unix-domain datagram sockets"
                    it shouldContain "use SuspendingSocket for a Unix-domain stream"
                }
                shouldThrow<IllegalArgumentException> { SuspendingDatagramSocket.connect(unix, map) }
                val socket = SuspendingDatagramSocket.bind(v4, map)
                shouldThrow<IllegalArgumentException> { socket.send(ByteArray(1), unix) }
                shouldThrow<IllegalArgumentException> { socket.connect(unix) }
            }
        }

        test("sends the socket cannot make") {
            loopTest { map ->
                val socket = SuspendingDatagramSocket.bind(v4, map, maxDatagramSize = 4)
                val target = InetSocketAddress("127.0.0.1", 9)
                shouldThrow<IllegalArgumentException> { socket.send(ByteArray(5), target) }.message shouldBe
                    "datagram of 5 bytes is larger than maxDatagramSize=4: split it, or make the socket with a larger " +
                    "maxDatagramSize (at most 65527)"
                shouldThrow<IllegalStateException> { socket.send(ByteArray(1)) }.message shouldBe
                    "send() without a target on a socket that is not connected: pass the target address, or connect() first"
                shouldThrow<IllegalArgumentException> { socket.send(ByteArray(1), InetSocketAddress("::1", 9)) }
                    .message!! shouldContain "an IPv6 address, on an IPv4 socket"
                shouldThrow<UnknownHostException> { socket.send(ByteArray(1), InetSocketAddress.createUnresolved("nowhere", 9)) }
                socket.connect(target)
                shouldThrow<IllegalArgumentException> { socket.send(ByteArray(0)) }.message!! shouldContain
                    "the JDK's connected DatagramChannel skips empty datagrams"
                shouldThrow<IllegalStateException> { socket.connect(InetSocketAddress("127.0.0.1", 10)) }.message!! shouldContain
                    "a datagram socket connects once"
                shouldThrow<IllegalArgumentException> { socket.send(ByteArray(1), InetSocketAddress("127.0.0.1", 10)) }
                    .message!! shouldContain "a connected socket sends to its peer only"
                socket.isOpen.shouldBeTrue()
            }
        }
    }
})
