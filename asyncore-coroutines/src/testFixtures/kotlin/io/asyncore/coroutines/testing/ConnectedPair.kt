package io.asyncore.coroutines.testing

import io.asyncore.SocketMap
import io.asyncore.coroutines.SuspendingServer
import io.asyncore.coroutines.SuspendingSocket
import java.net.SocketAddress
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.async

/** A connected pair on [map]: (client side, server side). */
suspend fun CoroutineScope.connectedPair(map: SocketMap, address: SocketAddress = LOOPBACK): Pair<SuspendingSocket, SuspendingSocket> {
    val server = SuspendingServer.bind(address, map)
    val accepted = async { server.accept() }
    val client = SuspendingSocket.connect(server.localAddress, map)
    val peer = accepted.await()
    server.close()
    return client to peer
}
