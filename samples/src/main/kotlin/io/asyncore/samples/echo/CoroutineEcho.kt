package io.asyncore.samples.echo

import io.asyncore.SocketMap
import io.asyncore.Tls
import io.asyncore.coroutines.SuspendingServer
import io.asyncore.coroutines.SuspendingSocket
import io.asyncore.samples.Failures
import io.asyncore.samples.SampleException
import java.io.EOFException
import java.io.IOException
import java.net.InetSocketAddress
import java.net.SocketAddress
import java.net.UnknownHostException
import javax.net.ssl.SSLContext
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch

/**
 * Echoes what [socket] receives until the peer closes its side, then flushes: one echo
 * connection, the suspending counterpart of [EchoHandler].
 *
 * Not the README's loop: the README shows the echo as `readUpTo(8192)` and `write(data)` in a loop,
 * which reads as asyncore's `recv`/`send` do. This sample hands the whole stream to
 * [SuspendingSocket.transferTo] instead, which does the same (end of stream ends it, the socket's
 * water marks bound what it buffers) without copying each read into a `ByteArray` and back:
 * the reads land in the loop thread's buffer and go from there straight to the kernel, so bulk
 * echo runs at the speed of a hand-written NIO loop.
 *
 * @throws IOException if the connection fails (for example the peer resets it)
 */
public suspend fun echo(socket: SuspendingSocket) {
    socket.transferTo(socket)
    socket.flush()
}

/**
 * The coroutine echo server: collects the `Flow` of connections accepted on [address] and echoes
 * each in a coroutine of its own. Runs until cancelled; while the collector is busy the server
 * stops accepting (the flow's backpressure), which here lasts only as long as a `launch`.
 *
 * Over TLS ([tls] given) it collects [SuspendingServer.tlsConnections] instead: each socket comes
 * after its handshake with a server engine of [tls] ([Tls.serverEngine]), and the echo does not
 * change. A handshake that fails (a client that refuses the certificate, a plaintext client, no
 * answer within the handshake timeout) closes that connection and is logged at INFO on the
 * `io.asyncore` logger; it never reaches [onAccepted].
 *
 * Threading: call it from a coroutine on a loop (`map.runUntilComplete`, a `LoopThread`); the server and
 * its connections are served by that loop.
 *
 * Errors: a connection that fails (reset by its peer...) ends quietly without disturbing the
 * others. A bind failure is thrown.
 *
 * @param backlog the listen backlog; 0 (the default) means the system's, [io.asyncore.Asyncore.defaultBacklog]
 * @param onListening told the address actually bound (useful with port 0)
 * @param onAccepted told each new peer's address (over TLS, once its handshake is complete)
 * @param tls the server's TLS context (for example from [Tls.server]), or null for plaintext
 */
public suspend fun serveEcho(
    address: SocketAddress,
    onListening: suspend (SocketAddress) -> Unit = {},
    onAccepted: (SocketAddress?) -> Unit = {},
    backlog: Int = 0,
    tls: SSLContext? = null,
): Unit = coroutineScope {
    SuspendingServer.bind(address, backlog = backlog).use { server ->
        onListening(server.localAddress)
        val connections = if (tls == null) server.connections() else server.tlsConnections { Tls.serverEngine(tls) }
        connections.collect { socket ->
            onAccepted(socket.remoteAddress)
            launch {
                socket.use {
                    try {
                        echo(it)
                    } catch (e: IOException) {
                        // the peer went away: that connection is over, the server goes on
                    }
                }
            }
        }
    }
}

/**
 * The suspending echo client: sends [message] to `host:port` and returns what came back once as
 * many bytes have returned; over TLS when [trust] is given, with a client engine of [trust]
 * ([Tls.clientEngine]: SNI, and the certificate must be valid for [host]) started right after the
 * connect, before the message is written.
 *
 * @param trust the client TLS context (for example [Tls.trusting]), or null for plaintext
 * @throws SampleException with a one-line message if the host is unknown, the connection is
 *   refused, TLS fails (an untrusted certificate...), or the server closes early
 */
public suspend fun echoOnce(host: String, port: Int, message: ByteArray, map: SocketMap? = null, trust: SSLContext? = null): ByteArray {
    val address = InetSocketAddress(host, port)
    try {
        if (address.isUnresolved) {
            throw UnknownHostException("cannot resolve host '$host'")
        }
        SuspendingSocket.connect(address, map).use { socket ->
            trust?.let { socket.startTls(Tls.clientEngine(it, host, port)) }
            socket.write(message)
            return try {
                socket.readExactly(message.size)
            } catch (e: EOFException) {
                throw SampleException(
                    "the echo server at ${Failures.format(address)} closed the connection before echoing " +
                        "all ${message.size} bytes",
                )
            }
        }
    } catch (e: SampleException) {
        throw e
    } catch (e: IOException) {
        throw SampleException(Failures.describe(e, address))
    }
}
