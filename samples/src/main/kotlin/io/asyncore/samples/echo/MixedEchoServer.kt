package io.asyncore.samples.echo

import io.asyncore.Asyncore
import io.asyncore.Dispatcher
import io.asyncore.SocketMap
import io.asyncore.coroutines.SuspendingSocket
import io.asyncore.coroutines.asCoroutineDispatcher
import java.io.IOException
import java.net.InetSocketAddress
import java.net.SocketAddress
import java.net.StandardSocketOptions
import java.nio.ByteBuffer
import java.nio.channels.ServerSocketChannel
import java.nio.channels.SocketChannel
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.launch

/**
 * An echo server whose connections take turns: the first is served by a callback [EchoHandler],
 * the second by a coroutine running [echo] on a [SuspendingSocket], and so on. Both kinds live in
 * the same [SocketMap] and are served by the same loop thread, so they never race.
 *
 * The listener itself is a plain callback [Dispatcher]; `handleAccepted` bridges a connection to
 * coroutine code by wrapping the accepted channel in a [SuspendingSocket] and launching on the
 * map's dispatcher.
 *
 * Threading: create it on the loop thread of [map] (or before the loop runs); [scope] owns the
 * coroutine connections: cancelling it ends them.
 *
 * @param backlog the listen backlog; 0 (the default) means the system's, [io.asyncore.Asyncore.defaultBacklog]
 * @param onAccepted told each new peer's address and the style serving it: "callback" or "coroutine"
 */
public class MixedEchoServer(
    address: SocketAddress,
    map: SocketMap,
    private val scope: CoroutineScope,
    backlog: Int = 0,
    private val onAccepted: (SocketAddress, String) -> Unit = { _, _ -> },
) : Dispatcher(map) {
    private var accepted = 0
    private val readBuffer = ByteBuffer.allocateDirect(EchoHandler.READ_SIZE)

    init {
        createSocket(Asyncore.protocolFamily(address))
        setReuseAddr()
        bind(address)
        listen(backlog)
    }

    /** The port actually listened on. */
    public fun port(): Int = ((socket() as ServerSocketChannel).localAddress as InetSocketAddress).port

    override fun handleAccepted(sock: SocketChannel, addr: SocketAddress) {
        sock.setOption(StandardSocketOptions.TCP_NODELAY, true) // as EchoServer does (SuspendingSocket sets it too)
        if (accepted++ % 2 == 0) {
            onAccepted(addr, "callback")
            EchoHandler(sock, map(), readBuffer)
        } else {
            onAccepted(addr, "coroutine")
            val socket = SuspendingSocket(sock, map())
            scope.launch(map().asCoroutineDispatcher()) {
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
