package io.asyncore.coroutines

import io.asyncore.Asyncore
import io.asyncore.Dispatcher
import io.asyncore.HandlerFactory
import io.asyncore.LoopGroup
import io.asyncore.SocketMap
import java.net.InetSocketAddress
import java.net.SocketAddress
import java.net.StandardSocketOptions
import java.nio.channels.ServerSocketChannel
import java.nio.channels.SocketChannel
import java.time.Duration
import java.util.concurrent.atomic.AtomicInteger
import kotlin.coroutines.CoroutineContext
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.cancel
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.ensureActive
import kotlinx.coroutines.isActive
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/**
 * A [LoopGroup] as a [CoroutineScope]: N loops on N threads, each connection served by one loop
 * for its whole life, and cancelling the scope (or [close]) stops them all.
 *
 * ```
 * val loops = LoopGroupScope(LoopGroup(2))
 * loops.serve(InetSocketAddress("127.0.0.1", 7007)) { socket ->
 *     // on the socket's own loop
 *     while (true) {
 *         val data = socket.readUpTo(4096) ?: break // the peer closed
 *         socket.write(data)
 *     }
 * }
 * // ... later
 * loops.close()
 * ```
 *
 * ## Which loop runs what
 * The scope's own dispatcher is loop 0's: `loops.launch { }` runs there. [connections] hands out
 * each [SuspendingSocket] served by the loop the group's chooser picked; a coroutine for it
 * belongs on that loop ([launchOn], or `launch(socket.map.asCoroutineDispatcher())`), so it never
 * hops between loops. [serve] does exactly that for every connection.
 *
 * ## One acceptor or one listener per loop
 * By default one listener on loop 0 hands each connection to the loop the chooser picks (as
 * [LoopGroup.listen]). With `reusePort = true` every loop listens on the same address with
 * `SO_REUSEPORT` and serves what it accepts itself (as [LoopGroup.listenOnEachLoop]): no hand-off
 * and accepts on every loop, but the kernel's hash decides the spread, and connections queued on
 * one loop's listener when it closes are reset. [LoopGroup]'s class notes weigh the two.
 *
 * ## Lifetime
 * The group starts in the constructor. Cancelling the scope cancels its coroutines and stops the
 * group with [grace] as the grace period (listeners close, connections get until the deadline,
 * then the rest closes: see [LoopGroup]). Coroutines still suspended on a loop when its thread
 * ends are abandoned. The scope has a [SupervisorJob]: one failed connection does not stop the others.
 *
 * ## Threading
 * `launch`, [close] and `cancel` are safe from any thread but [close] is not for a loop's own
 * thread (it would wait for itself; cancel the scope there instead).
 *
 * @param grace how long connections may take to finish once the scope is cancelled
 */
public class LoopGroupScope(
    /** The group; started here and stopped when the scope is cancelled. */
    public val group: LoopGroup = LoopGroup(),
    private val grace: Duration = LoopGroup.DEFAULT_GRACE,
) : CoroutineScope, AutoCloseable {
    private val job = SupervisorJob()

    /** A [SupervisorJob] and loop 0's [LoopDispatcher]. */
    override val coroutineContext: CoroutineContext = job + group.loop(0).asCoroutineDispatcher() + CoroutineName("loop-group")

    init {
        group.start()
        // Stops the group when the scope is cancelled, even if cancelled before this child first ran (ATOMIC).
        launch(start = CoroutineStart.ATOMIC) {
            try {
                awaitCancellation()
            } finally {
                group.shutdown(grace)
            }
        }
    }

    /**
     * The connections to [address] as a cold `Flow`: each collection listens with one listener on
     * loop 0, calls [onListening] with the address bound (useful with port 0), and emits every
     * connection as a [SuspendingSocket] served by the loop the group's chooser picked for it.
     * The collection ends normally when the listener closes (the group stopping), and closes the
     * listener when it ends otherwise (cancelled, failed, or finished early by `take`).
     *
     * With [reusePort], each collection opens one listener per loop instead, all on [address] with
     * `SO_REUSEPORT` (for port 0, on the port the first was given), and each connection is served
     * by the loop whose listener accepted it; the collection ends once every listener has closed.
     *
     * Collect it from any dispatcher, and run each connection's coroutine on its socket's loop,
     * with [launchOn]. Connections are accepted ahead of the collector (a busy collector leaves
     * them queued in memory, not in the kernel's backlog); those never handed out are closed.
     *
     * @param backlog the kernel's queue of connections not yet accepted; 0 or less (the default)
     *   means [io.asyncore.Asyncore.defaultBacklog], the system's limit (per listener with [reusePort])
     * @param reusePort one `SO_REUSEPORT` listener per loop, the kernel spreading the connects,
     *   instead of one listener handing off (the default)
     * @throws java.net.BindException if the address is in use
     * @throws UnsupportedOperationException with [reusePort], if the platform has no `SO_REUSEPORT`
     *   or [address] is not an IP address: collect without it
     */
    public fun connections(
        address: SocketAddress,
        backlog: Int = 0,
        reusePort: Boolean = false,
        onListening: suspend (SocketAddress) -> Unit = {},
    ): Flow<SuspendingSocket> = flow {
        val accepted = Channel<SuspendingSocket>(Channel.UNLIMITED) { it.close() }
        val listeners = mutableListOf<Listener>()
        try {
            val open = AtomicInteger(if (reusePort) group.size() else 1)
            for (loop in if (reusePort) group.loops() else listOf(group.loop(0))) {
                val at = listeners.firstOrNull()?.addr() ?: address // port 0: every listener on the first one's port
                listeners += withContext(loop.asCoroutineDispatcher()) {
                    Listener(loop, openListener(at, backlog, reusePort), reusePort, accepted, open)
                }
            }
            onListening(listeners[0].addr())
            for (socket in accepted) {
                val context = currentCoroutineContext()
                if (!context.isActive) socket.close() // accepted but never handed out
                context.ensureActive()
                emit(socket)
            }
        } finally {
            listeners.forEach { listener -> listener.map().execute { listener.close() } }
            accepted.cancel()
        }
    }

    /**
     * Serves [address]: every connection gets a coroutine of its own running [handler] on the
     * socket's loop, a child of this scope, and its socket is closed when [handler] returns or fails.
     * The one-line server of the class example.
     *
     * @param backlog as for [connections]: the system's limit unless given
     * @param reusePort as for [connections]: one `SO_REUSEPORT` listener per loop instead of one handing off
     * @param onListening called with the address bound, before the first connection
     * @return the job collecting the connections; cancel it to stop listening (the connections go on).
     *   A failure to listen (address in use, no `SO_REUSEPORT`) fails this job.
     */
    public fun serve(
        address: SocketAddress,
        backlog: Int = 0,
        reusePort: Boolean = false,
        onListening: suspend (SocketAddress) -> Unit = {},
        handler: suspend CoroutineScope.(SuspendingSocket) -> Unit,
    ): Job = launch {
        connections(address, backlog, reusePort, onListening).collect { socket -> this@LoopGroupScope.launchOn(socket, handler) }
    }

    /**
     * Connects to [address] from the loop the group's chooser picks: a client served by the group.
     *
     * @throws java.io.IOException the connect's own failure
     */
    public suspend fun connect(address: SocketAddress): SuspendingSocket = SuspendingSocket.connect(address, group.next())

    /**
     * Cancels the scope and waits up to [timeout] for the group's threads to end.
     *
     * @return true if the group ended in time
     * @throws IllegalStateException if called from a loop of the group
     */
    public fun close(timeout: Duration): Boolean {
        cancel()
        return group.awaitTermination(timeout)
    }

    /** [close], waiting up to the grace period and 10 seconds more. */
    override fun close() {
        close(grace.plusSeconds(10))
    }

    /** The group's description, for logs. */
    override fun toString(): String = "LoopGroupScope[$group]"

    /**
     * A listener of [connections]: each connection goes to the group (to the chooser's loop, or with
     * [ownLoop] to this listener's), and its socket into [accepted] from the loop that serves it.
     * The last of the [open] listeners to close closes [accepted].
     */
    private inner class Listener(
        map: SocketMap,
        channel: ServerSocketChannel,
        private val ownLoop: Boolean,
        private val accepted: Channel<SuspendingSocket>,
        private val open: AtomicInteger,
    ) : Dispatcher(channel, map) {
        private var counted = false

        override fun handleAccepted(sock: SocketChannel, addr: SocketAddress) {
            if (!group.isRunning) {
                sock.close()
                close()
                return
            }
            val factory = HandlerFactory { channel, loop ->
                val socket = SuspendingSocket(channel, loop)
                if (accepted.trySend(socket).isFailure) socket.close()
            }
            if (ownLoop) group.serve(sock, map(), factory) else group.serve(sock, factory)
        }

        override fun close() {
            super.close()
            if (!counted) {
                counted = true
                // the flow completes once the queued connections are handed out
                if (open.decrementAndGet() == 0) accepted.close()
            }
        }
    }
}

/**
 * Launches [block] for [socket] on the socket's own loop, and closes the socket when the block
 * returns or fails: the way to serve a connection from a [LoopGroupScope.connections] collector,
 * so its coroutine never hops loops.
 */
public fun CoroutineScope.launchOn(
    socket: SuspendingSocket,
    block: suspend CoroutineScope.(SuspendingSocket) -> Unit,
): Job = launch(socket.map.asCoroutineDispatcher()) {
    socket.use { block(it) }
}

/**
 * A listener bound to [address], with `SO_REUSEADDR` on IP sockets and, if [reusePort], `SO_REUSEPORT`;
 * a [backlog] below 1 means the system's.
 */
private fun openListener(address: SocketAddress, backlog: Int, reusePort: Boolean): ServerSocketChannel {
    val channel = ServerSocketChannel.open(Asyncore.protocolFamily(address))
    try {
        if (address is InetSocketAddress) {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true)
        }
        if (reusePort) {
            if (address !is InetSocketAddress || StandardSocketOptions.SO_REUSEPORT !in channel.supportedOptions()) {
                throw UnsupportedOperationException(
                    "SO_REUSEPORT is not available for $address on this platform: " +
                        "collect connections(address) without reusePort, one listener handing off",
                )
            }
            channel.setOption(StandardSocketOptions.SO_REUSEPORT, true)
        }
        channel.bind(address, if (backlog < 1) Asyncore.defaultBacklog() else backlog)
    } catch (t: Throwable) {
        channel.close()
        throw t
    }
    return channel
}
