package io.asyncore.coroutines

import io.asyncore.Asyncore
import io.asyncore.Dispatcher
import io.asyncore.LoopGroup
import io.asyncore.SocketMap
import java.net.InetSocketAddress
import java.net.SocketAddress
import java.net.StandardSocketOptions
import java.nio.channels.ServerSocketChannel
import java.nio.channels.SocketChannel
import java.time.Duration
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
     * Collect it from any dispatcher, and run each connection's coroutine on its socket's loop,
     * with [launchOn]. Connections are accepted ahead of the collector (a busy collector leaves
     * them queued in memory, not in the kernel's backlog); those never handed out are closed.
     *
     * @param backlog the kernel's queue of connections not yet accepted; 0 or less (the default)
     *   means [io.asyncore.Asyncore.defaultBacklog], the system's limit
     * @throws java.net.BindException if the address is in use
     */
    public fun connections(
        address: SocketAddress,
        backlog: Int = 0,
        onListening: suspend (SocketAddress) -> Unit = {},
    ): Flow<SuspendingSocket> = flow {
        val accepted = Channel<SuspendingSocket>(Channel.UNLIMITED) { it.close() }
        val loop0 = group.loop(0)
        val listener = withContext(loop0.asCoroutineDispatcher()) { Listener(loop0, address, backlog, accepted) }
        try {
            onListening(listener.addr())
            for (socket in accepted) {
                val context = currentCoroutineContext()
                if (!context.isActive) socket.close() // accepted but never handed out
                context.ensureActive()
                emit(socket)
            }
        } finally {
            loop0.execute { listener.close() }
            accepted.cancel()
        }
    }

    /**
     * Serves [address]: every connection gets a coroutine of its own running [handler] on the
     * socket's loop, a child of this scope, and its socket is closed when [handler] returns or fails.
     * The one-line server of the class example.
     *
     * @param backlog as for [connections]: the system's limit unless given
     * @param onListening called with the address bound, before the first connection
     * @return the job collecting the connections; cancel it to stop listening (the connections go on)
     */
    public fun serve(
        address: SocketAddress,
        backlog: Int = 0,
        onListening: suspend (SocketAddress) -> Unit = {},
        handler: suspend CoroutineScope.(SuspendingSocket) -> Unit,
    ): Job = launch {
        connections(address, backlog, onListening).collect { socket -> this@LoopGroupScope.launchOn(socket, handler) }
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

    /** The one acceptor: each connection goes to the group, and its socket into [accepted] from its own loop. */
    private inner class Listener(
        map: SocketMap,
        address: SocketAddress,
        backlog: Int,
        private val accepted: Channel<SuspendingSocket>,
    ) : Dispatcher(openListener(address, backlog), map) {
        override fun handleAccepted(sock: SocketChannel, addr: SocketAddress) {
            if (!group.isRunning) {
                sock.close()
                close()
                return
            }
            group.serve(sock) { channel, loop ->
                val socket = SuspendingSocket(channel, loop)
                if (accepted.trySend(socket).isFailure) socket.close()
            }
        }

        override fun close() {
            super.close()
            accepted.close() // the flow completes once the queued connections are handed out
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

/** A listener bound to [address], with `SO_REUSEADDR` on IP sockets; a [backlog] below 1 means the system's. */
private fun openListener(address: SocketAddress, backlog: Int): ServerSocketChannel {
    val channel = ServerSocketChannel.open(Asyncore.protocolFamily(address))
    try {
        if (address is InetSocketAddress) {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true)
        }
        channel.bind(address, if (backlog < 1) Asyncore.defaultBacklog() else backlog)
    } catch (t: Throwable) {
        channel.close()
        throw t
    }
    return channel
}
