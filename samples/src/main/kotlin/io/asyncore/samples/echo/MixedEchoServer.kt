package io.asyncore.samples.echo

import io.asyncore.Asyncore
import io.asyncore.Dispatcher
import io.asyncore.SocketMap
import io.asyncore.Tls
import io.asyncore.coroutines.SuspendingSocket
import io.asyncore.coroutines.asCoroutineDispatcher
import java.io.IOException
import java.net.InetSocketAddress
import java.net.SocketAddress
import java.net.StandardSocketOptions
import java.nio.ByteBuffer
import java.nio.channels.ServerSocketChannel
import java.nio.channels.SocketChannel
import javax.net.ssl.SSLContext
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
 * Over TLS ([tls] given), each connection starts TLS at once in the style that serves it: the
 * callback handler with `Dispatcher.startTls` (as [TlsEchoServer]), the coroutine with
 * [SuspendingSocket.startTls], both with a server engine of [tls] ([Tls.serverEngine]). The echo
 * code does not change.
 *
 * Threading: create it on the loop thread of [map] (or before the loop runs); [scope] owns the
 * coroutine connections: cancelling it ends them. The callbacks are called on that thread.
 *
 * Errors: over TLS, a connection that fails (a client that refuses the certificate, a plaintext
 * client, a handshake that times out...) is closed and told to [onFailed]; the server goes on. In
 * plaintext a failed connection ends quietly.
 *
 * @param backlog the listen backlog; 0 (the default) means the system's, [io.asyncore.Asyncore.defaultBacklog]
 * @param tls the server's TLS context (for example from [Tls.server]), or null for plaintext
 * @param onFailed told a peer and what failed its TLS connection
 * @param onAccepted told each new peer's address and the style serving it: "callback" or "coroutine"
 *   (over TLS, before its handshake)
 */
public class MixedEchoServer(
    address: SocketAddress,
    map: SocketMap,
    private val scope: CoroutineScope,
    backlog: Int = 0,
    private val tls: SSLContext? = null,
    private val onFailed: (SocketAddress, Throwable) -> Unit = { _, _ -> },
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
            if (tls == null) {
                EchoHandler(sock, map(), readBuffer)
            } else {
                TlsEchoServer.serve(sock, addr, map(), readBuffer, tls, onFailed)
            }
        } else {
            onAccepted(addr, "coroutine")
            val socket = SuspendingSocket(sock, map())
            scope.launch(map().asCoroutineDispatcher()) {
                socket.use {
                    try {
                        tls?.let { context -> it.startTls(Tls.serverEngine(context)) }
                        echo(it)
                    } catch (e: IOException) {
                        // that connection is over (over TLS the caller hears why), the server goes on
                        if (tls != null) onFailed(addr, e)
                    }
                }
            }
        }
    }
}
