package io.asyncore.samples.time

import io.asyncore.SocketMap
import io.asyncore.coroutines.SocketClosedException
import io.asyncore.coroutines.SuspendingDatagramSocket
import io.asyncore.samples.Failures
import io.asyncore.samples.SampleException
import java.io.IOException
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.UnknownHostException
import java.time.Clock
import java.time.Duration
import java.time.Instant
import kotlinx.coroutines.withTimeoutOrNull

/** The largest request the UDP time server reads whole; RFC 868 requests are empty, so anything fits. */
private const val REQUEST_MAX = 512

/**
 * The RFC 868 time client over UDP as a suspend function: sends an empty datagram and returns the
 * time in the 4-byte reply. UDP may lose either datagram, so the request is sent again every
 * [retry], up to [attempts] times; datagrams from anyone but the server are ignored. The callback
 * version is [UdpTimeClient]; compare the two.
 *
 * ```
 * SocketMap().use { map -> println(map.runUntilComplete { fetchTimeUdp("127.0.0.1", 8037) }) }
 * ```
 *
 * The socket is not connected: the JDK's connected datagram socket cannot send the empty
 * datagram RFC 868 asks with.
 *
 * Threading: from any coroutine; the socket is served by [map], or by the map whose loop runs the
 * caller when [map] is null. Cancellation: closes the socket.
 *
 * @throws SampleException with a one-line message if the host is unknown, no reply comes after
 *   every attempt, or the reply is not 4 bytes
 */
public suspend fun fetchTimeUdp(
    host: String,
    port: Int,
    map: SocketMap? = null,
    attempts: Int = UdpTimeClient.ATTEMPTS,
    retry: Duration = Duration.ofSeconds(1),
): Instant {
    require(attempts >= 1) { "attempts must be at least 1, got $attempts" }
    val server = InetSocketAddress(host, port)
    try {
        if (server.isUnresolved) {
            throw UnknownHostException("cannot resolve host '$host'")
        }
        val anyLocal = InetAddress.getByAddress(ByteArray(server.address.address.size)) // 0.0.0.0 or ::
        SuspendingDatagramSocket.bind(InetSocketAddress(anyLocal, 0), map, maxDatagramSize = REQUEST_MAX).use { socket ->
            repeat(attempts) {
                socket.send(ByteArray(0), server)
                val reply = withTimeoutOrNull(retry.toMillis()) {
                    var d = socket.receive()
                    while (d.sender != server) {
                        d = socket.receive() // a stray datagram
                    }
                    d
                }
                if (reply != null) {
                    if (reply.size != 4) {
                        throw SampleException(
                            "the time server at ${Failures.format(server)} replied with ${reply.size} bytes; " +
                                "RFC 868 replies are 4 bytes",
                        )
                    }
                    return Rfc868.decode(reply.data, Instant.now())
                }
            }
            throw SampleException(
                "no reply from the time server at ${Failures.format(server)} after $attempts requests over UDP " +
                    "(is it serving UDP on that port?)",
            )
        }
    } catch (e: SampleException) {
        throw e
    } catch (e: IOException) {
        throw SampleException(Failures.describe(e, server))
    }
}

/**
 * The RFC 868 time server over UDP, on an already bound [socket]: answers every datagram with a
 * 4-byte datagram holding [clock]'s time, until the socket is closed (then it returns) or the
 * caller is cancelled. The callback version is [UdpTimeServer].
 *
 * ```
 * val socket = SuspendingDatagramSocket.bind(InetSocketAddress("127.0.0.1", 8037))
 * launch { serveUdpTime(socket) }
 * ```
 *
 * A reply that fails (an ICMP error from an earlier exchange surfacing, say) is skipped: one bad
 * exchange must not stop the server. Threading: from any coroutine.
 */
public suspend fun serveUdpTime(socket: SuspendingDatagramSocket, clock: Clock = Clock.systemUTC()) {
    try {
        socket.datagrams().collect { request ->
            try {
                socket.send(Rfc868.encode(clock.instant()), request.sender)
            } catch (e: SocketClosedException) {
                throw e
            } catch (e: IOException) {
                // the client asks again
            }
        }
    } catch (e: SocketClosedException) {
        // closed by its map (a server stopping): done
    }
}

/**
 * Opens the UDP time server's socket on [address] (port 0 picks a free port): small datagrams
 * only, since RFC 868 requests are empty.
 */
public suspend fun bindUdpTime(address: InetSocketAddress, map: SocketMap? = null): SuspendingDatagramSocket =
    SuspendingDatagramSocket.bind(address, map, maxDatagramSize = REQUEST_MAX)
