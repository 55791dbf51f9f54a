package io.asyncore.coroutines

import io.asyncore.coroutines.testing.LOOPBACK
import io.asyncore.coroutines.testing.awaitCondition
import io.asyncore.coroutines.testing.connectedPair
import io.asyncore.coroutines.testing.loopTest
import io.asyncore.coroutines.testing.pattern
import io.asyncore.Tls
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.io.ByteArrayOutputStream
import java.net.InetSocketAddress
import java.nio.file.Path
import java.util.Random
import javax.net.ssl.SSLContext
import javax.net.ssl.SSLException
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeout

/** The throwaway certificates of the core's TLS tests (asyncore-core/src/test/resources/tls; not for production). */
private fun pem(name: String): Path = Path.of("..", "asyncore-core", "src", "test", "resources", "tls", name)

private fun serverContext(): SSLContext = Tls.server(pem("server.pem"), pem("server-key.pem"))

private fun clientEngine(ca: String, port: Int) = Tls.clientEngine(Tls.trusting(pem("$ca.pem")), "127.0.0.1", port)

/** TLS under suspending sockets: startTls, the Flow of TLS connections, STARTTLS, cancellation. */
class TlsSpec : FunSpec({
    timeout = 60_000

    test("an echo through the Flow of TLS connections is byte-exact with writes from 1 byte to 1 MiB") {
        loopTest(30.seconds) { map ->
            val server = SuspendingServer.bind(LOOPBACK, map)
            val port = (server.localAddress as InetSocketAddress).port
            val context = serverContext()
            val serving = launch {
                val socket = server.tlsConnections { Tls.serverEngine(context) }.first()
                socket.transferTo(socket) // to the end of the client's stream (its close_notify)
                socket.close()
            }
            val client = SuspendingSocket.connect(server.localAddress, map)
            client.startTls(clientEngine("ca", port))
            val random = Random(7)
            val sent = ByteArrayOutputStream()
            val sizes = listOf(1, 2, 100, 16_384, 16_385, 65_536, 1 shl 20) + List(8) { 1 + random.nextInt(1 shl 20) }
            var echoed = 0
            val received = async {
                val all = ByteArrayOutputStream()
                while (true) {
                    val chunk = client.readUpTo(64 * 1024) ?: break
                    all.write(chunk)
                    echoed += chunk.size
                }
                all.toByteArray()
            }
            for (size in sizes) {
                val chunk = ByteArray(size).also(random::nextBytes)
                sent.write(chunk)
                client.write(chunk)
            }
            client.flush()
            awaitCondition { echoed >= sent.size() } // the peer answers close_notify at once: take the echo first
            client.shutdownOutput() // close_notify: the server's transfer ends, it closes, we read the end
            received.await() shouldBe sent.toByteArray()
            serving.join()
            client.close()
        }
    }

    test("startTls fails with a message saying the certificate is not trusted, and closes the socket") {
        loopTest { map ->
            val server = SuspendingServer.bind(LOOPBACK, map)
            val port = (server.localAddress as InetSocketAddress).port
            val context = serverContext()
            launch { server.tlsConnections { Tls.serverEngine(context) }.collect { it.close() } }
            val client = SuspendingSocket.connect(server.localAddress, map)
            val e = shouldThrow<SSLException> { client.startTls(clientEngine("other-ca", port)) }
            e.message shouldContain "not trusted"
            client.isOpen shouldBe false
            server.close()
        }
    }

    test("plaintext read ahead behind a STARTTLS line is refused, never taken as TLS input") {
        loopTest { map ->
            val (attacker, server) = connectedPair(map)
            attacker.write("STARTTLS\r\nINJECTED\r\n".encodeToByteArray())
            attacker.flush()
            server.readUntil("\r\n", 100).decodeToString() shouldBe "STARTTLS"
            awaitCondition { server.bufferedInput > 0 } // the injected line came in the same read
            val e = shouldThrow<SSLException> { server.startTls(Tls.serverEngine(serverContext())) }
            e.message shouldContain "plaintext arrived after the command that started TLS"
            server.isOpen shouldBe false
            attacker.readUpTo(100) shouldBe null // the connection is closed: end of stream
            attacker.close()
        }
    }

    test("a suspended read over TLS cancelled by a timeout loses no byte") {
        loopTest(30.seconds) { map ->
            val server = SuspendingServer.bind(LOOPBACK, map)
            val port = (server.localAddress as InetSocketAddress).port
            val context = serverContext()
            val accepted = async { server.tlsConnections { Tls.serverEngine(context) }.first() }
            val client = SuspendingSocket.connect(server.localAddress, map)
            client.startTls(clientEngine("ca", port))
            val peer = accepted.await()
            repeat(20) { round ->
                val data = pattern(1000, round)
                peer.write(data, 0, 2)
                peer.flush()
                // Two of the four bytes arrive; the read is cancelled holding them: they must stay.
                shouldThrow<TimeoutCancellationException> { withTimeout(50.milliseconds) { client.readExactly(4) } }
                peer.write(data, 2, 998)
                client.readExactly(1000) shouldBe data
            }
            peer.close()
            client.close()
        }
    }
})
