package io.asyncore.samples.echo

import io.asyncore.LoopGroup
import io.asyncore.SocketMap
import io.asyncore.coroutines.LoopGroupScope
import io.asyncore.coroutines.SuspendingSocket
import io.asyncore.coroutines.launchOn
import io.asyncore.samples.SampleException
import java.io.IOException
import java.net.InetSocketAddress
import java.net.SocketAddress
import java.net.StandardSocketOptions
import java.nio.ByteBuffer
import java.util.concurrent.atomic.AtomicInteger
import java.util.function.BiConsumer
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeoutOrNull

/**
 * The echo servers with coroutines on a group of loops ([LoopGroupScope]): `"coroutine"`, every
 * connection a coroutine on its own loop, and `"mixed"`, connections taking turns between a
 * callback [EchoHandler] and a coroutine, each on the loop the group picked. For Java callers:
 * the command line and its tests.
 */
public object GroupEchoServers {
    /**
     * Starts the server on [loops] loops and returns once it listens; close the handle to stop it.
     *
     * @param backlog the listen backlog; 0 means the system's, [io.asyncore.Asyncore.defaultBacklog]
     * @param onAccepted told each peer and the style serving it, on the loop that serves it
     * @throws IOException if it cannot listen on [address]
     */
    @JvmStatic
    @Throws(IOException::class)
    public fun start(
        style: String,
        address: InetSocketAddress,
        backlog: Int,
        loops: Int,
        onAccepted: BiConsumer<SocketAddress?, String>,
    ): Running {
        val scope = LoopGroupScope(LoopGroup(loops))
        try {
            val bound = when (style) {
                "coroutine" -> serveCoroutines(scope, address, backlog, onAccepted)
                "mixed" -> serveMixed(scope, address, backlog, onAccepted)
                else -> throw IllegalArgumentException("unknown echo server style '$style': use coroutine or mixed")
            }
            return Running(bound as InetSocketAddress, scope)
        } catch (t: Throwable) {
            scope.close()
            throw t
        }
    }

    private fun serveCoroutines(scope: LoopGroupScope, address: SocketAddress, backlog: Int, onAccepted: BiConsumer<SocketAddress?, String>): SocketAddress {
        val listening = CompletableDeferred<SocketAddress>()
        val server = scope.serve(address, backlog, onListening = { listening.complete(it) }) { socket ->
            onAccepted.accept(socket.remoteAddress, "coroutine")
            try {
                echo(socket)
            } catch (e: IOException) {
                // the peer went away: that connection is over, the server goes on
            }
        }
        server.invokeOnCompletion { it?.let(listening::completeExceptionally) }
        return runBlocking { withTimeoutOrNull(10_000) { listening.await() } }
            ?: throw SampleException("the coroutine echo server did not start listening within 10 s")
    }

    private fun serveMixed(scope: LoopGroupScope, address: SocketAddress, backlog: Int, onAccepted: BiConsumer<SocketAddress?, String>): SocketAddress {
        val buffers: Map<SocketMap, ByteBuffer> = scope.group.loops().associateWith { ByteBuffer.allocateDirect(EchoHandler.READ_SIZE) }
        val turn = AtomicInteger()
        val listener = scope.group.listen(address, backlog) { channel, map ->
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true)
            if (turn.getAndIncrement() % 2 == 0) {
                onAccepted.accept(channel.remoteAddress, "callback")
                EchoHandler(channel, map, buffers.getValue(map))
            } else {
                onAccepted.accept(channel.remoteAddress, "coroutine")
                scope.launchOn(SuspendingSocket(channel, map)) {
                    try {
                        echo(it)
                    } catch (e: IOException) {
                        // the peer went away
                    }
                }
            }
        }
        return listener.addr()
    }

    /** A server started by [start]: where it listens, its group, and how to stop it. */
    public class Running internal constructor(
        /** The address it listens on. */
        public val address: InetSocketAddress,
        private val scope: LoopGroupScope,
    ) : AutoCloseable {
        /** The port it listens on. */
        public fun port(): Int = address.port

        /** The group serving the connections. */
        public fun group(): LoopGroup = scope.group

        /** Cancels the connections and stops the group; waits for its threads. */
        override fun close() {
            scope.close()
        }
    }
}
