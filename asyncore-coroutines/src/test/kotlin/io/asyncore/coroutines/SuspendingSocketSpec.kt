package io.asyncore.coroutines

import io.asyncore.coroutines.testing.LOOPBACK
import io.asyncore.coroutines.testing.awaitCondition
import io.asyncore.coroutines.testing.connectedPair
import io.asyncore.coroutines.testing.loopTest
import io.asyncore.coroutines.testing.pattern
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.booleans.shouldBeFalse
import io.kotest.matchers.booleans.shouldBeTrue
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import java.io.EOFException
import java.io.IOException
import java.net.ConnectException
import java.net.InetSocketAddress
import java.net.UnixDomainSocketAddress
import java.nio.ByteBuffer
import java.nio.channels.ServerSocketChannel
import java.nio.channels.SocketChannel
import java.nio.file.Files
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.withTimeoutOrNull

class SuspendingSocketSpec : FunSpec({
    timeout = 60_000

    context("connect") {
        test("suspends until connected and reports both addresses") {
            loopTest { map ->
                val (client, peer) = connectedPair(map)
                client.isOpen.shouldBeTrue()
                client.remoteAddress shouldBe peer.localAddress
                peer.remoteAddress shouldBe client.localAddress
            }
        }

        test("a refused connect throws the ConnectException and leaves nothing in the map") {
            val port = ServerSocketChannel.open().use { it.bind(LOOPBACK); (it.localAddress as InetSocketAddress).port }
            loopTest { map ->
                shouldThrow<ConnectException> { SuspendingSocket.connect(InetSocketAddress("127.0.0.1", port), map) }
                map.size() shouldBe 0
            }
        }

        test("a connect that gets no answer times out, and its half-open socket is closed") {
            // A listener with a full accept queue drops further SYNs, so those connects stay pending.
            ServerSocketChannel.open().use { full ->
                full.bind(LOOPBACK, 1)
                val fillers = (1..4).map { SocketChannel.open().apply { configureBlocking(false); connect(full.localAddress) } }
                try {
                    loopTest { map ->
                        shouldThrow<TimeoutCancellationException> {
                            withTimeout(300.milliseconds) { SuspendingSocket.connect(full.localAddress, map) }
                        }
                        map.size() shouldBe 0
                    }
                } finally {
                    fillers.forEach { it.close() }
                }
            }
        }

        test("cancelling a pending connect closes the half-open socket") {
            ServerSocketChannel.open().use { full ->
                full.bind(LOOPBACK, 1)
                val fillers = (1..4).map { SocketChannel.open().apply { configureBlocking(false); connect(full.localAddress) } }
                try {
                    loopTest { map ->
                        val job = launch { SuspendingSocket.connect(full.localAddress, map) }
                        awaitCondition { map.size() == 1 }
                        job.cancelAndJoin()
                        job.isCancelled.shouldBeTrue()
                        map.size() shouldBe 0
                    }
                } finally {
                    fillers.forEach { it.close() }
                }
            }
        }

        test("an unresolved host fails at once with its name") {
            loopTest { map ->
                val e = shouldThrow<java.net.UnknownHostException> {
                    SuspendingSocket.connect(InetSocketAddress.createUnresolved("no.such.host.invalid", 80), map)
                }
                e.message!! shouldContain "no.such.host.invalid"
            }
        }

        test("without a map, from a coroutine off any loop, it says how to fix the call") {
            val e = shouldThrow<IllegalStateException> {
                withContext(Dispatchers.Default) { SuspendingSocket.connect(LOOPBACK) }
            }
            e.message!! shouldContain "pass the SocketMap"
        }

        test("works over IPv6 loopback and Unix-domain sockets") {
            loopTest { map ->
                val (a, b) = connectedPair(map, InetSocketAddress("::1", 0))
                a.write("six".encodeToByteArray())
                b.readExactly(3).decodeToString() shouldBe "six"
            }
            val dir = Files.createTempDirectory("asyncore-coroutines")
            val path = dir.resolve("s.sock")
            try {
                loopTest { map ->
                    val (a, b) = connectedPair(map, UnixDomainSocketAddress.of(path))
                    b.write("unix".encodeToByteArray())
                    a.readExactly(4).decodeToString() shouldBe "unix"
                }
            } finally {
                Files.deleteIfExists(path)
                Files.deleteIfExists(dir)
            }
        }
    }

    context("on every transport") {
        val unixDir = Files.createTempDirectory("asyncore-coroutines")
        afterSpec { unixDir.toFile().deleteRecursively() }
        var unixCount = 0
        val transports: List<Pair<String, () -> java.net.SocketAddress>> = listOf(
            "IPv4" to { InetSocketAddress("127.0.0.1", 0) },
            "IPv6" to { InetSocketAddress("::1", 0) },
            "Unix" to { UnixDomainSocketAddress.of(unixDir.resolve("s${unixCount++}.sock")) },
        )
        for ((name, address) in transports) {
            test("$name: a request, a half-close and a reply, every byte in order") {
                loopTest { map ->
                    val (a, b) = connectedPair(map, address())
                    val request = pattern(300_000, seed = 1)
                    val sender = launch { a.write(request); a.shutdownOutput() }
                    b.readExactly(request.size) shouldBe request
                    b.readUpTo(1) shouldBe null
                    sender.join()
                    b.write("done".encodeToByteArray())
                    a.readExactly(4).decodeToString() shouldBe "done"
                }
            }

            test("$name: a cancelled read loses no byte") {
                loopTest { map ->
                    val (a, b) = connectedPair(map, address())
                    val reader = launch { a.readUntil("\n", 100) }
                    b.write("par".encodeToByteArray())
                    awaitCondition { a.bufferedInput == 3 && a.readInterested }
                    reader.cancelAndJoin()
                    b.write("tial\n".encodeToByteArray())
                    a.readUntil("\n", 100).decodeToString() shouldBe "partial"
                }
            }
        }
    }

    context("reads") {
        test("read(ByteBuffer) returns what has arrived, then -1 at end of stream") {
            loopTest { map ->
                val (a, b) = connectedPair(map)
                b.write("hello".encodeToByteArray())
                b.shutdownOutput()
                val buf = ByteBuffer.allocate(64)
                var total = 0
                while (true) {
                    val n = a.read(buf)
                    if (n < 0) break
                    total += n
                }
                total shouldBe 5
                String(buf.array(), 0, 5) shouldBe "hello"
                a.read(ByteBuffer.allocate(0)) shouldBe 0
            }
        }

        test("readUpTo returns at most n bytes and an empty array at end of stream") {
            loopTest { map ->
                val (a, b) = connectedPair(map)
                b.write("abcdef".encodeToByteArray())
                b.shutdownOutput()
                a.readExactly(6) // everything is buffered now
                    .decodeToString() shouldBe "abcdef"
                a.readUpTo(4) shouldBe null
                shouldThrow<IllegalArgumentException> { a.readUpTo(0) }.message!! shouldContain "max <= 0"
            }
        }

        test("readUpTo splits buffered input at n") {
            loopTest { map ->
                val (a, b) = connectedPair(map)
                b.write("abcdef".encodeToByteArray())
                a.readExactly(1).decodeToString() shouldBe "a"
                a.readUpTo(2)?.decodeToString() shouldBe "bc"
            }
        }

        test("readExactly waits for every byte across many segments") {
            loopTest { map ->
                val (a, b) = connectedPair(map)
                val data = pattern(200_000)
                val reader = async { a.readExactly(data.size) }
                for (i in data.indices step 7_000) {
                    b.write(data, i, minOf(7_000, data.size - i))
                }
                reader.await() shouldBe data
            }
        }

        test("readExactly at end of stream throws EOFException and keeps the partial bytes") {
            loopTest { map ->
                val (a, b) = connectedPair(map)
                b.write("abc".encodeToByteArray())
                b.shutdownOutput()
                shouldThrow<EOFException> { a.readExactly(10) }.message!! shouldContain "3 of 10"
                a.readUpTo(10)?.decodeToString() shouldBe "abc"
            }
        }

        test("readUntil finds the delimiter at every split point and keeps what follows") {
            loopTest { map ->
                val (a, b) = connectedPair(map)
                val message = "key: value\r\nnext".encodeToByteArray()
                for (split in 1 until message.size) {
                    val line = async { a.readUntil("\r\n", maxLength = 64) }
                    b.write(message, 0, split)
                    b.flush()
                    awaitCondition { a.bufferedInput >= split || line.isCompleted }
                    b.write(message, split, message.size - split)
                    line.await().decodeToString() shouldBe "key: value"
                    a.readExactly(4).decodeToString() shouldBe "next"
                }
            }
        }

        test("readUntil with more than maxLength bytes and no delimiter fails and keeps the bytes") {
            loopTest { map ->
                val (a, b) = connectedPair(map)
                b.write(ByteArray(100) { 'x'.code.toByte() })
                val e = shouldThrow<IOException> { a.readUntil("\n", maxLength = 50) }
                e.message!! shouldContain "maxLength=50"
                a.readExactly(100).size shouldBe 100
            }
        }

        test("readUntil accepts a record of exactly maxLength bytes") {
            loopTest { map ->
                val (a, b) = connectedPair(map)
                b.write("12345;".encodeToByteArray())
                a.readUntil(";".encodeToByteArray(), maxLength = 5).decodeToString() shouldBe "12345"
            }
        }

        test("readUntil at end of stream before the delimiter throws EOFException") {
            loopTest { map ->
                val (a, b) = connectedPair(map)
                b.write("partial".encodeToByteArray())
                b.shutdownOutput()
                shouldThrow<EOFException> { a.readUntil("\n", 100) }
                a.readUpTo(100)?.decodeToString() shouldBe "partial"
            }
        }

        test("a read times out and the socket stays usable") {
            loopTest { map ->
                val (a, b) = connectedPair(map)
                shouldThrow<TimeoutCancellationException> { withTimeout(50.milliseconds) { a.readUpTo(10) } }
                a.readInterested.shouldBeFalse()
                b.write("late".encodeToByteArray())
                a.readExactly(4).decodeToString() shouldBe "late"
            }
        }

        test("a read cancelled while suspended loses no byte, also midway through readExactly") {
            loopTest { map ->
                val (a, b) = connectedPair(map)
                val first = launch { a.readExactly(10) }
                b.write("0123".encodeToByteArray())
                awaitCondition { a.bufferedInput == 4 && a.readInterested }
                first.cancelAndJoin()
                a.readInterested.shouldBeFalse()
                b.write("456789".encodeToByteArray())
                a.readExactly(10).decodeToString() shouldBe "0123456789"
            }
        }

        test("a second concurrent reader fails at once, saying why") {
            loopTest { map ->
                val (a, b) = connectedPair(map)
                val first = async { a.readUpTo(10) }
                awaitCondition { a.readInterested }
                val e = shouldThrow<IllegalStateException> { a.readExactly(1) }
                e.message!! shouldContain "another read is in progress"
                b.write("x".encodeToByteArray())
                first.await()?.decodeToString() shouldBe "x"
            }
        }

        test("closing the socket resumes a waiting reader with SocketClosedException, and later reads fail too") {
            loopTest { map ->
                val (a, peer) = connectedPair(map) // held to the end: a peer dropped open would be closed by leak detection
                val reader = async { runCatching { a.readUpTo(10) }.exceptionOrNull() }
                awaitCondition { a.readInterested }
                a.close()
                reader.await().shouldBeInstanceOf<SocketClosedException>().message!! shouldContain "while a read waited"
                shouldThrow<SocketClosedException> { a.readUpTo(1) }
                a.isOpen.shouldBeFalse()
                map.size() shouldBe 1 // only the peer is left
                peer.close()
            }
        }

        test("a reset by the peer reaches the reader as an IOException, not as a close") {
            loopTest { map ->
                val (a, b) = connectedPair(map)
                a.write("never read".encodeToByteArray())
                a.flush()
                b.close() // with unread input, the kernel answers with a reset
                val e = shouldThrow<IOException> { a.readUpTo(10) }
                (e is SocketClosedException).shouldBeFalse()
                a.isOpen.shouldBeTrue()
            }
        }
    }

    context("every read function") {
        val reads: List<Pair<String, suspend (SuspendingSocket) -> Any?>> = listOf(
            "read(ByteBuffer)" to { s -> s.read(ByteBuffer.allocate(8)) },
            "readUpTo" to { s -> s.readUpTo(8) },
            "readExactly" to { s -> s.readExactly(8) },
            "readUntil" to { s -> s.readUntil("\n", 8) },
            "readLine" to { s -> s.readLine(8) },
        )
        for ((name, read) in reads) {
            test("$name times out when nothing arrives, drops its interest, and the socket stays usable") {
                loopTest { map ->
                    val (a, b) = connectedPair(map)
                    shouldThrow<TimeoutCancellationException> { withTimeout(30.milliseconds) { read(a) } }
                    a.readInterested.shouldBeFalse()
                    b.write("abcdefg\n".encodeToByteArray())
                    a.readExactly(8).decodeToString() shouldBe "abcdefg\n"
                }
            }

            test("$name cancelled while suspended consumes nothing and keeps no buffer or interest") {
                loopTest { map ->
                    val (a, b) = connectedPair(map)
                    val reader = launch { read(a) }
                    awaitCondition { a.readInterested }
                    reader.cancelAndJoin()
                    a.readInterested.shouldBeFalse()
                    a.inputCapacity shouldBe 0
                    b.write("abcdefg\n".encodeToByteArray())
                    a.readExactly(8).decodeToString() shouldBe "abcdefg\n"
                }
            }

            test("$name waiting when the socket is closed resumes with SocketClosedException") {
                loopTest { map ->
                    val (a, peer) = connectedPair(map) // held to the end: a peer dropped open would be closed by leak detection
                    val reader = async { runCatching { read(a) }.exceptionOrNull() }
                    awaitCondition { a.readInterested }
                    a.close()
                    reader.await().shouldBeInstanceOf<SocketClosedException>()
                    shouldThrow<SocketClosedException> { read(a) }
                    peer.close()
                }
            }
        }
    }

    context("writes") {
        test("an idle socket is neither read- nor write-interested") {
            loopTest { map ->
                val (a, b) = connectedPair(map)
                a.write(pattern(1000))
                b.readExactly(1000)
                a.readInterested.shouldBeFalse()
                a.writeInterested.shouldBeFalse()
                b.readInterested.shouldBeFalse()
                b.writeInterested.shouldBeFalse()
            }
        }

        test("write suspends above the high-water mark and resumes at the low one; every byte arrives in order") {
            loopTest { map ->
                val (a, b) = connectedPair(map)
                a.setWriteWaterMarks(low = 1024, high = 4096)
                val data = pattern(16 * 1024 * 1024, seed = 3)
                val events = mutableListOf<String>()
                val writer = launch {
                    a.write(data)
                    events += "write returned, at most the low-water mark pending: ${a.pendingOutput <= 1024}"
                    a.flush()
                    events += "flushed"
                }
                awaitCondition { a.writerWaiting }
                a.writeInterested.shouldBeTrue()
                events += "writer suspended"
                b.readExactly(data.size) shouldBe data
                writer.join()
                events shouldBe listOf("writer suspended", "write returned, at most the low-water mark pending: true", "flushed")
                a.writeInterested.shouldBeFalse()
            }
        }

        test("a second writer while one is suspended fails at once, saying why") {
            loopTest { map ->
                val (a, b) = connectedPair(map)
                a.setWriteWaterMarks(0, 0)
                val big = pattern(16 * 1024 * 1024)
                val first = launch { a.write(big) }
                awaitCondition { a.writerWaiting }
                shouldThrow<IllegalStateException> { a.write(byteArrayOf(1)) }.message!! shouldContain "another writer is suspended"
                shouldThrow<IllegalStateException> { a.flush() }.message!! shouldContain "one writer at a time"
                b.readExactly(big.size) shouldBe big
                first.join()
            }
        }

        test("a write cancelled while waiting for the drain still sends all its bytes") {
            loopTest { map ->
                val (a, b) = connectedPair(map)
                a.setWriteWaterMarks(0, 0)
                val big = pattern(16 * 1024 * 1024, seed = 5)
                val writer = launch { a.write(big) }
                awaitCondition { a.writerWaiting }
                writer.cancelAndJoin()
                a.writerWaiting.shouldBeFalse()
                val reader = async { b.readExactly(big.size + 4) }
                a.write("tail".encodeToByteArray())
                reader.await() shouldBe big + "tail".encodeToByteArray()
            }
        }

        test("flush times out while the peer does not read, and a later flush completes") {
            loopTest { map ->
                val (a, b) = connectedPair(map)
                val big = pattern(16 * 1024 * 1024, seed = 9)
                a.setWriteWaterMarks(Int.MAX_VALUE, Int.MAX_VALUE)
                a.write(big)
                shouldThrow<TimeoutCancellationException> { withTimeout(100.milliseconds) { a.flush() } }
                a.writerWaiting.shouldBeFalse()
                val reader = async { b.readExactly(big.size) }
                a.flush()
                a.pendingOutput shouldBe 0
                reader.await() shouldBe big
            }
        }

        test("closing resumes a suspended writer with SocketClosedException") {
            loopTest { map ->
                val (a, peer) = connectedPair(map) // held to the end: a peer dropped open would be closed by leak detection
                a.setWriteWaterMarks(0, 0)
                val writer = async { runCatching { a.write(pattern(16 * 1024 * 1024)) }.exceptionOrNull() }
                awaitCondition { a.writerWaiting }
                a.close()
                writer.await().shouldBeInstanceOf<SocketClosedException>().message!! shouldContain "while a write waited"
                shouldThrow<SocketClosedException> { a.write(byteArrayOf(1)) }
                peer.close()
            }
        }

        test("shutdownOutput sends buffered bytes, then end of stream; the socket can still read") {
            loopTest { map ->
                val (a, b) = connectedPair(map)
                a.write("request".encodeToByteArray())
                a.shutdownOutput()
                a.shutdownOutput() // idempotent
                shouldThrow<EOFException> { b.readExactly(100) }
                b.readUpTo(100)?.decodeToString() shouldBe "request"
                b.write("answer".encodeToByteArray())
                a.readExactly(6).decodeToString() shouldBe "answer"
                shouldThrow<IllegalStateException> { a.write(byteArrayOf(1)) }.message!! shouldContain "after shutdownOutput()"
            }
        }
    }

    context("shutdownOutput and detach") {
        test("shutdownOutput waits for buffered output; timed out, the output stays open and a retry completes") {
            loopTest { map ->
                val (a, b) = connectedPair(map)
                val big = pattern(16 * 1024 * 1024, seed = 11)
                a.setWriteWaterMarks(Int.MAX_VALUE, Int.MAX_VALUE)
                a.write(big)
                shouldThrow<TimeoutCancellationException> { withTimeout(50.milliseconds) { a.shutdownOutput() } }
                a.write("more".encodeToByteArray()) // not shut yet
                val reader = async { b.readExactly(big.size + 4) }
                a.shutdownOutput()
                reader.await() shouldBe big + "more".encodeToByteArray()
                b.readUpTo(1) shouldBe null
            }
        }

        test("shutdownOutput and write on a closed socket throw SocketClosedException") {
            loopTest { map ->
                val (a, peer) = connectedPair(map) // held to the end: a peer dropped open would be closed by leak detection
                a.close()
                shouldThrow<SocketClosedException> { a.shutdownOutput() }
                shouldThrow<SocketClosedException> { a.write(byteArrayOf(1)) }
                shouldThrow<SocketClosedException> { a.detach() }
                peer.close()
            }
        }

        test("detach while a read is in progress fails, saying why, and leaves the socket working") {
            loopTest { map ->
                val (a, b) = connectedPair(map)
                val reader = async { a.readUpTo(4) }
                awaitCondition { a.readInterested }
                shouldThrow<IllegalStateException> { a.detach() }.message!! shouldContain "read is in progress"
                b.write("ok".encodeToByteArray())
                reader.await()?.decodeToString() shouldBe "ok"
            }
        }
    }

    context("from other dispatchers") {
        test("every suspend function can be called from Dispatchers.Default and IO, and returns there") {
            loopTest { map ->
                val server = SuspendingServer.bind(LOOPBACK, map)
                val peer = async { server.accept() }
                val client = withContext(Dispatchers.IO) {
                    SuspendingSocket.connect(server.localAddress, map).also {
                        Thread.currentThread().name shouldContain "DefaultDispatcher"
                    }
                }
                val p = peer.await()
                withContext(Dispatchers.Default) {
                    client.write("ping\n".encodeToByteArray())
                    client.flush()
                    Thread.currentThread().name shouldContain "DefaultDispatcher"
                }
                p.readUntil("\n", 10).decodeToString() shouldBe "ping"
                p.write("pong".encodeToByteArray())
                withContext(Dispatchers.Default) {
                    client.readExactly(4).decodeToString() shouldBe "pong"
                    client.shutdownOutput()
                }
                p.readUpTo(1) shouldBe null
                server.close()
            }
        }

        test("a cross-dispatcher read cancelled while waiting loses no byte") {
            loopTest { map ->
                val (a, b) = connectedPair(map)
                val reader = launch(Dispatchers.Default) { a.readExactly(6) }
                b.write("abc".encodeToByteArray())
                awaitCondition { a.bufferedInput == 3 && a.readInterested }
                reader.cancelAndJoin()
                b.write("def".encodeToByteArray())
                withContext(Dispatchers.Default) { a.readExactly(6) }.decodeToString() shouldBe "abcdef"
            }
        }

        test("a cross-dispatcher read whose caller is cancelled on its way back with the bytes still hands them over") {
            loopTest { map ->
                val (a, b) = connectedPair(map)
                SteppedDispatcher().use { caller ->
                    var got: ByteArray? = null
                    val reader = launch(caller) { got = a.readUpTo(10) }
                    caller.runNext() // the reader starts and goes to the loop to wait
                    awaitCondition { a.readInterested }
                    b.write("hello".encodeToByteArray())
                    awaitCondition { caller.pending == 1 } // the wait is over
                    caller.runNext() // the reader goes to the loop to take the bytes
                    awaitCondition { caller.pending == 1 } // it is due back with them
                    a.bufferedInput shouldBe 0
                    reader.cancel()
                    caller.runNext()
                    reader.join()
                    val bytes = got ?: withTimeoutOrNull(1.seconds) { a.readUpTo(10) }
                    bytes?.decodeToString() shouldBe "hello"
                }
            }
        }

        test("close from another thread resumes the waiter on the loop") {
            loopTest { map ->
                val (a, peer) = connectedPair(map) // held to the end: a peer dropped open would be closed by leak detection
                val reader = async(start = CoroutineStart.UNDISPATCHED) { runCatching { a.readUpTo(1) }.exceptionOrNull() }
                awaitCondition { a.readInterested }
                withContext(Dispatchers.Default) { a.close() }
                reader.await().shouldBeInstanceOf<SocketClosedException>()
                peer.close()
            }
        }
    }

    test("the loop's timers drive delay and withTimeout on the loop thread") {
        loopTest(5.seconds) { map ->
            val loopThread = Thread.currentThread()
            kotlinx.coroutines.delay(20)
            Thread.currentThread() shouldBe loopThread
            map.inLoop().shouldBeTrue()
        }
    }
})
