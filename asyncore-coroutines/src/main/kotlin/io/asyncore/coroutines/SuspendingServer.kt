package io.asyncore.coroutines

import io.asyncore.Asyncore
import io.asyncore.Dispatcher
import io.asyncore.SocketMap
import java.net.InetSocketAddress
import java.net.SocketAddress
import java.nio.channels.ServerSocketChannel
import java.time.Duration
import javax.net.ssl.SSLEngine
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.ensureActive
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.emitAll
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.channelFlow
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Semaphore

private val LOGGER: System.Logger = System.getLogger("io.asyncore")

/**
 * A listening socket served by a [SocketMap]'s loop, handing out connections as
 * [SuspendingSocket]s: one at a time with [accept], or as a cold `Flow` with [connections].
 * [serve] opens the listener inside the flow itself.
 *
 * ```
 * SuspendingServer.serve(InetSocketAddress("127.0.0.1", 7007)).collect { socket ->
 *     launch { socket.use { echo(it) } }
 * }
 * ```
 *
 * ## Backpressure
 * The listener is accept-interested only while a coroutine waits in [accept]. A `Flow` collector
 * that is busy with the previous connection is not waiting, so the loop stops accepting and new
 * connections queue in the kernel's backlog (then the kernel refuses or delays them) instead of
 * piling up in memory.
 *
 * ## Threading
 * The suspend functions may be called from any dispatcher; they run on the loop. [close] is safe
 * from any thread.
 *
 * ## Cancellation and errors
 * A cancelled [accept] takes no connection (the next one still waits in the backlog); a connection
 * taken but not handed out because of cancellation is closed. At most one [accept] may wait at a
 * time: a second fails at once with [IllegalStateException]. [close] resumes a waiting [accept]
 * with [SocketClosedException].
 */
public class SuspendingServer private constructor(
    /** The map whose loop serves this server. */
    public val map: SocketMap,
) : AutoCloseable {
    private var acceptorBusy = false

    @Volatile
    private var closeRequested = false

    @Volatile
    private var closedBy: SocketClosedException? = null

    private val listener = Listener()

    /** Set once by [open], before the server is handed out. */
    private lateinit var boundAddress: SocketAddress

    /** The address actually listened on (with the real port when bound to port 0). Safe from any thread. */
    public val localAddress: SocketAddress get() = boundAddress

    /** True until closed. Safe from any thread. */
    public val isOpen: Boolean get() = closedBy == null

    internal val acceptInterested: Boolean get() = listener.readable()

    /**
     * Waits for the next connection and returns it, served by the same map.
     *
     * @throws SocketClosedException if the server is or gets closed
     * @throws IllegalStateException if another [accept] is waiting
     */
    public suspend fun accept(): SuspendingSocket = makeOnLoop(map, SuspendingSocket::close) { acceptOnLoop() }

    /**
     * The accepted connections as a cold `Flow`, for one collector. Each connection is accepted only
     * when the collector asks for the next (see the class notes on backpressure). When the collection
     * ends — cancelled, failed, or finished early by an operator such as `take` — the server is
     * closed. Closing the server with [close] completes the flow normally.
     *
     * Collect it from any dispatcher; do not put a `buffer` or `flowOn` between the flow and a
     * collector that wants backpressure (they accept ahead, and drop the buffered connections,
     * unclosed, when cancelled).
     */
    public fun connections(): Flow<SuspendingSocket> = flow {
        try {
            while (true) {
                val socket = try {
                    accept()
                } catch (e: SocketClosedException) {
                    if (closeRequested) break else throw e
                }
                try {
                    currentCoroutineContext().ensureActive()
                } catch (e: CancellationException) {
                    socket.close() // accepted but never handed out
                    throw e
                }
                emit(socket)
            }
        } finally {
            close()
        }
    }

    /**
     * The accepted connections over TLS, as a cold `Flow` for one collector: each socket is handed
     * out once its handshake completed, with an engine from [engine] (for example
     * `{ Tls.serverEngine(context) }` with `Tls.server(chainPem, keyPem)`).
     *
     * Handshakes run side by side on the server's loop, so a slow or failing peer never holds up
     * the others; at most [maxHandshakes] run at once, and accepting waits beyond that. A
     * connection whose handshake fails (a plaintext peer, no common protocol, no answer within
     * [handshakeTimeout]) is closed and left out; its failure is logged at INFO on the
     * `io.asyncore` logger. As with [connections], ending the collection closes the server, and a
     * connection not yet handed out is closed.
     *
     * @throws IllegalArgumentException if [maxHandshakes] is below 1
     */
    public fun tlsConnections(
        handshakeTimeout: Duration = Dispatcher.DEFAULT_TLS_HANDSHAKE_TIMEOUT,
        maxHandshakes: Int = 256,
        engine: () -> SSLEngine,
    ): Flow<SuspendingSocket> {
        require(maxHandshakes >= 1) { "maxHandshakes must be at least 1, got $maxHandshakes" }
        return channelFlow {
            val permits = Semaphore(maxHandshakes)
            connections().collect { socket ->
                permits.acquire()
                launch(map.asCoroutineDispatcher()) {
                    val peer = socket.remoteAddress // before a failure closes the socket
                    try {
                        socket.startTls(engine(), handshakeTimeout)
                        send(socket)
                    } catch (e: CancellationException) {
                        socket.close()
                        throw e
                    } catch (e: Exception) {
                        socket.close()
                        LOGGER.log(System.Logger.Level.INFO, "the TLS handshake with $peer failed: ${e.message}")
                    } finally {
                        permits.release()
                    }
                }
            }
        }.buffer(Channel.RENDEZVOUS)
    }

    /**
     * Stops listening; a waiting [accept] resumes with [SocketClosedException]. Idempotent. Safe
     * from any thread, with effect at once: [isOpen] is false when it returns. Off the loop thread
     * the listener itself is closed at the end of the current or next pass.
     */
    override fun close() {
        closeRequested = true
        if (map.inLoop()) {
            listener.close()
        } else {
            if (closedBy == null) {
                closedBy = SocketClosedException("server closed")
            }
            map.execute { listener.close() }
        }
    }

    /** The listener's description (address, state), for logs. */
    override fun toString(): String = "SuspendingServer[$listener]"

    private suspend fun acceptOnLoop(): SuspendingSocket {
        checkOpen()
        check(!acceptorBusy) {
            "accept() while another accept() is waiting on this server; one acceptor at a time " +
                "(collect connections() once and hand sockets to other coroutines)"
        }
        acceptorBusy = true
        try {
            while (true) {
                checkOpen()
                val accepted = listener.accept()
                if (accepted != null) {
                    return SuspendingSocket(accepted.sock(), map)
                }
                listener.acceptWaiter.await()
            }
        } finally {
            acceptorBusy = false
        }
    }

    private fun checkOpen() {
        closedBy?.let { throw SocketClosedException("accept() on a closed server: ${it.message}", it.cause ?: it) }
    }

    private fun open(address: SocketAddress, backlog: Int) {
        try {
            listener.createSocket(Asyncore.protocolFamily(address))
            listener.setReuseAddr()
            listener.bind(address)
            listener.listen(backlog)
            boundAddress = (listener.socket() as ServerSocketChannel).localAddress
        } catch (t: Throwable) {
            listener.close()
            throw t
        }
    }

    /** The loop's side: accept readiness resumes the waiting acceptor, which takes the connection itself. */
    private inner class Listener : Dispatcher(map), Interest {
        private var failure: Throwable? = null

        /** The acceptor waiting for a connection. */
        val acceptWaiter = Waiter(map, this)

        override fun announcesInterest(): Boolean = true

        override fun changed() = interestChanged()

        override fun readable(): Boolean = acceptWaiter.isWaiting

        override fun writable(): Boolean = false

        override fun handleAccept() {
            acceptWaiter.wake()
        }

        override fun handleError(error: Throwable) {
            failure = error
            close()
        }

        override fun close() {
            super.close()
            val cause = failure
            if (closedBy == null) {
                closedBy = SocketClosedException(if (cause == null) "server closed" else "server closed after: $cause", cause)
            }
            acceptWaiter.fail { SocketClosedException("the server was closed while accept() waited", cause) }
        }
    }

    /** Opening servers. */
    public companion object {
        /**
         * Binds [address] and listens, returning at once (the bind happens on the loop).
         *
         * @param map the map to join; null means the map whose loop runs the calling coroutine
         * @param backlog the kernel's queue of connections not yet accepted; 0 or less (the default) means
         *   [io.asyncore.Asyncore.defaultBacklog], the system's limit (`somaxconn` on Linux), so a burst of
         *   connects is queued rather than refused
         * @throws java.net.BindException if the address is in use
         * @throws IllegalStateException if [map] is null and the caller is not on a loop
         */
        public suspend fun bind(address: SocketAddress, map: SocketMap? = null, backlog: Int = 0): SuspendingServer {
            val m = mapOrCurrent(map, "SuspendingServer.bind()")
            return makeOnLoop(m, SuspendingServer::close) { SuspendingServer(m).also { it.open(address, backlog) } }
        }

        /**
         * A cold `Flow` of connections to [address]: each collection binds its own listener, calls
         * [onListening] with the address actually bound (useful with port 0), then emits connections
         * as [connections] does, and closes the listener when the collection ends.
         *
         * @param map the map to serve on; null means the map whose loop runs the collector
         * @param backlog as for [bind]: the system's limit unless given
         */
        public fun serve(
            address: SocketAddress,
            map: SocketMap? = null,
            backlog: Int = 0,
            onListening: suspend (SocketAddress) -> Unit = {},
        ): Flow<SuspendingSocket> = flow {
            val server = bind(address, map, backlog)
            try {
                onListening(server.localAddress)
            } catch (t: Throwable) {
                server.close()
                throw t
            }
            emitAll(server.connections())
        }
    }
}
