package io.asyncore.benchmarks.server

import io.asyncore.SocketMap
import io.asyncore.coroutines.SuspendingDatagramSocket
import io.asyncore.coroutines.runUntilComplete
import java.io.IOException

/**
 * The asyncore coroutine UDP echo server: one [SuspendingDatagramSocket] bound to 127.0.0.1:<port>
 * and one coroutine that sends every datagram it receives back to its sender, driven by one thread
 * in `map.runUntilComplete`. It is the README's datagram example as it stands (`receive`, then `send` to
 * the sender), with the default maximum datagram size.
 *
 * Takes the arguments of every server here (`<port> [--loops N [--reuseport]]`); `--loops` and
 * `--reuseport` are accepted and ignored, since one UDP socket is served by one loop. A send that fails (an ICMP error from a
 * client that went away surfacing) drops that one answer, as UDP may; the server goes on.
 */
object CoroutineUdpEchoServer {
    private const val NAME = "CoroutineUdpEchoServer"

    @JvmStatic
    fun main(args: Array<String>) {
        val address = ServerArgs.address(args, NAME)
        ServerArgs.loops(args, NAME) // validated like the others', then ignored
        SocketMap().use { map ->
            map.runUntilComplete {
                val socket = SuspendingDatagramSocket.bind(address, map)
                ServerArgs.ready(NAME, address)
                while (true) {
                    val datagram = try {
                        socket.receive()
                    } catch (e: IOException) {
                        if (!socket.isOpen) throw e
                        continue // an ICMP error of an earlier exchange: the socket is still good
                    }
                    try {
                        socket.send(datagram.data, datagram.sender)
                    } catch (e: IOException) {
                        if (!socket.isOpen) throw e
                    }
                }
            }
        }
    }
}
