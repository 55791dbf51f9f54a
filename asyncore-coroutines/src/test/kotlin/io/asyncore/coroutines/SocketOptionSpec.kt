package io.asyncore.coroutines

import io.asyncore.coroutines.testing.LOOPBACK
import io.asyncore.coroutines.testing.connectedPair
import io.asyncore.coroutines.testing.loopTest
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import java.net.StandardSocketOptions
import java.net.UnixDomainSocketAddress
import java.nio.channels.ServerSocketChannel
import java.nio.channels.SocketChannel
import java.nio.file.Files

/** TCP sockets have Nagle's algorithm off by default; options can be read and set. */
class SocketOptionSpec : FunSpec({
    timeout = 30_000

    test("connected and accepted TCP sockets have TCP_NODELAY set; setOption turns Nagle's algorithm back on") {
        loopTest { map ->
            val (client, server) = connectedPair(map)
            client.getOption(StandardSocketOptions.TCP_NODELAY) shouldBe true
            server.getOption(StandardSocketOptions.TCP_NODELAY) shouldBe true
            server.setOption(StandardSocketOptions.TCP_NODELAY, false)
            server.getOption(StandardSocketOptions.TCP_NODELAY) shouldBe false
            client.close()
            server.close()
        }
    }

    test("a channel handed over by callback code gets TCP_NODELAY when it is wrapped") {
        ServerSocketChannel.open().use { listener ->
            listener.bind(LOOPBACK)
            SocketChannel.open(listener.localAddress).use { peer ->
                val accepted = listener.accept()
                accepted.getOption(StandardSocketOptions.TCP_NODELAY) shouldBe false // the JDK's default
                loopTest { map ->
                    val socket = SuspendingSocket(accepted, map)
                    socket.getOption(StandardSocketOptions.TCP_NODELAY) shouldBe true
                    socket.close()
                }
                peer.isOpen shouldBe true
            }
        }
    }

    test("a Unix-domain socket is made without TCP_NODELAY, and asking for it says the channel has no such option") {
        val dir = Files.createTempDirectory("asyncore-options")
        val path = dir.resolve("s.sock")
        try {
            loopTest { map ->
                val (a, b) = connectedPair(map, UnixDomainSocketAddress.of(path))
                shouldThrow<UnsupportedOperationException> { a.getOption(StandardSocketOptions.TCP_NODELAY) }
                a.setOption(StandardSocketOptions.SO_SNDBUF, 65536)
                a.close()
                b.close()
            }
        } finally {
            Files.deleteIfExists(path)
            Files.deleteIfExists(dir)
        }
    }

    test("setOption and getOption on a closed socket throw SocketClosedException") {
        loopTest { map ->
            val (a, b) = connectedPair(map)
            a.close()
            shouldThrow<SocketClosedException> { a.setOption(StandardSocketOptions.TCP_NODELAY, false) }
            shouldThrow<SocketClosedException> { a.getOption(StandardSocketOptions.TCP_NODELAY) }
            b.close()
        }
    }
})
