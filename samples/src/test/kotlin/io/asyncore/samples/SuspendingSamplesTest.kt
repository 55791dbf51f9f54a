package io.asyncore.samples

import io.asyncore.SocketMap
import io.asyncore.coroutines.runUntilComplete
import io.asyncore.samples.echo.serveEcho
import io.asyncore.samples.http.httpGet
import java.io.InputStream
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.net.Socket
import java.net.URI
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit
import kotlin.concurrent.thread
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.launch
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.Timeout

/** What the coroutine samples promise about cancellation, checked from the peer's side. */
@Timeout(30)
class SuspendingSamplesTest {
    private val loopback: InetAddress = InetAddress.getByName("127.0.0.1")

    /** Reads until end of stream (the other side closed) and returns how many bytes came first. */
    private fun drain(input: InputStream): Int {
        var n = 0
        while (input.read() >= 0) {
            n++
        }
        return n
    }

    /** Reads the request up to its blank line. */
    private fun readRequestHead(input: InputStream) {
        var last4 = 0
        while (last4 != 0x0d0a0d0a) {
            val b = input.read()
            check(b >= 0) { "the client closed before finishing its request" }
            last4 = (last4 shl 8) or b
        }
    }

    @Test
    fun cancellingHttpGetClosesItsConnection() {
        ServerSocket(0, 5, loopback).use { server ->
            val answered = CompletableDeferred<Unit>()
            val peerClosed = CompletableFuture<Int>()
            thread(name = "stalling-http-server") {
                runCatching {
                    server.accept().use { s ->
                        s.soTimeout = 10_000
                        val input = s.getInputStream()
                        readRequestHead(input)
                        s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".toByteArray())
                        answered.complete(Unit)
                        drain(input)
                    }
                }.fold({ peerClosed.complete(it) }, {
                    answered.completeExceptionally(it)
                    peerClosed.completeExceptionally(it)
                })
            }
            SocketMap().use { map ->
                map.runUntilComplete {
                    val get = launch { httpGet(URI("http://127.0.0.1:${server.localPort}/"), map = map) }
                    answered.await()
                    get.cancelAndJoin()
                }
            }
            peerClosed.get(10, TimeUnit.SECONDS) // end of stream seen: the connection was closed, not left open
        }
    }

    @Test
    fun cancellingTheFlowEchoServerClosesItsConnections() {
        val peer = CompletableFuture<Int>()
        SocketMap().use { map ->
            map.runUntilComplete {
                val listening = CompletableDeferred<InetSocketAddress>()
                val server = launch { serveEcho(InetSocketAddress(loopback, 0), { listening.complete(it as InetSocketAddress) }) }
                val port = listening.await().port
                val echoed = CompletableDeferred<Unit>()
                thread(name = "echo-peer") {
                    runCatching {
                        Socket(loopback, port).use { s ->
                            s.soTimeout = 10_000
                            s.getOutputStream().write("ping".toByteArray())
                            assertEquals("ping", String(s.getInputStream().readNBytes(4)))
                            echoed.complete(Unit)
                            drain(s.getInputStream()) // until the server closes the connection
                        }
                    }.fold({ peer.complete(it) }, {
                        echoed.completeExceptionally(it)
                        peer.completeExceptionally(it)
                    })
                }
                echoed.await()
                server.cancelAndJoin()
            }
        }
        // No byte after the echo, then end of stream: the server closed the connection.
        assertEquals(0, peer.get(10, TimeUnit.SECONDS))
    }
}
