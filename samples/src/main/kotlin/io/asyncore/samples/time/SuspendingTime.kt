package io.asyncore.samples.time

import io.asyncore.SocketMap
import io.asyncore.coroutines.SocketClosedException
import io.asyncore.coroutines.SuspendingServer
import io.asyncore.coroutines.SuspendingSocket
import io.asyncore.samples.Failures
import io.asyncore.samples.SampleException
import java.io.EOFException
import java.io.IOException
import java.net.InetSocketAddress
import java.net.UnknownHostException
import java.time.Clock
import java.time.Instant
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch

/**
 * The RFC 868 time client as a suspend function: connect, read exactly 4 bytes, close. The
 * callback version is [TimeClient]; compare the two.
 *
 * ```
 * SocketMap().use { map -> println(map.runUntilComplete { fetchTime("127.0.0.1", 8037) }) }
 * ```
 *
 * Threading: from any coroutine; the socket is served by [map], or by the map whose loop runs the
 * caller when [map] is null.
 *
 * Cancellation: closes the connection.
 *
 * @throws SampleException with a one-line message if the host is unknown, the connection is
 *   refused, or the server closes before sending 4 bytes
 */
public suspend fun fetchTime(host: String, port: Int, map: SocketMap? = null): Instant {
    val address = InetSocketAddress(host, port)
    try {
        if (address.isUnresolved) {
            throw UnknownHostException("cannot resolve host '$host'")
        }
        SuspendingSocket.connect(address, map).use { socket ->
            val time = try {
                socket.readExactly(4)
            } catch (e: EOFException) {
                throw SampleException(
                    "the time server at ${Failures.format(address)} closed the connection after " +
                        "${socket.readUpTo(4)?.size ?: 0} of 4 bytes",
                )
            }
            return Rfc868.decode(time, Instant.now())
        }
    } catch (e: SampleException) {
        throw e
    } catch (e: IOException) {
        throw SampleException(Failures.describe(e, address))
    }
}

/**
 * The RFC 868 time server over TCP, on an already listening [server]: each connection gets the
 * 4-byte time from [clock], and is closed. Serves until the server is closed (then it returns) or
 * the caller is cancelled. The callback version is [TimeServer].
 *
 * Threading: from any coroutine; each connection is served by its own child coroutine, so a slow
 * client holds up nobody. A connection that fails is closed; the server goes on.
 */
public suspend fun serveTime(server: SuspendingServer, clock: Clock = Clock.systemUTC()): Unit = coroutineScope {
    try {
        server.connections().collect { socket ->
            launch {
                socket.use {
                    try {
                        it.write(Rfc868.encode(clock.instant()))
                        it.flush()
                    } catch (e: IOException) {
                        // the client went away: nothing to tell it
                    }
                }
            }
        }
    } catch (e: SocketClosedException) {
        // closed by its map (a server stopping): done
    }
}
