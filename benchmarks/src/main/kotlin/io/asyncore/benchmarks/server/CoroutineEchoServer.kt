package io.asyncore.benchmarks.server

import io.asyncore.LoopGroup
import io.asyncore.SocketMap
import io.asyncore.coroutines.LoopGroupScope
import io.asyncore.coroutines.SuspendingServer
import io.asyncore.coroutines.SuspendingSocket
import io.asyncore.coroutines.runUntilComplete
import java.io.IOException
import java.nio.ByteBuffer
import kotlinx.coroutines.launch

/**
 * The asyncore coroutine echo server: the README's `Flow` server (`SuspendingServer.serve` and one
 * coroutine per connection reading and writing in a loop), driven by one thread in `map.runUntilComplete`.
 *
 * Two changes to the README's version, both plain public API and the same the callback server
 * makes: the coroutines read into one 64 KiB direct buffer that the server shares among them with
 * `read(ByteBuffer)` and pass it to `write(ByteBuffer)`, which hands it straight to the kernel and
 * copies only what the kernel does not take, instead of a `ByteArray` per read with `readUpTo(8192)`
 * (two copies of every byte more: out of the loop's buffer into the array, and back into a
 * direct one for the kernel); and a connection that fails (the load generator closes with a reset)
 * ends only its own coroutine.
 *
 * Sharing one buffer is safe here, and only because every coroutine runs on the loop thread: a
 * `read` fills the buffer just before it returns, and `write` has taken every byte (sent or copied
 * into the socket's own queue) before it can suspend, so no other coroutine runs between the two.
 * Back-pressure is the library's: `write` suspends above the high-water mark, so the coroutine stops
 * reading. Its connections have `TCP_NODELAY` set, as every server here does, by the library's own
 * default.
 *
 * With `--loops N` (N above 1) it serves on a [LoopGroupScope] instead: one listener hands each
 * connection to a loop, whose coroutine runs there, with one shared buffer per loop; with
 * `--reuseport` too, one `SO_REUSEPORT` listener per loop, each serving what it accepts.
 */
object CoroutineEchoServer {
    private const val NAME = "CoroutineEchoServer"

    @JvmStatic
    fun main(args: Array<String>) {
        val address = ServerArgs.address(args, NAME)
        val loops = ServerArgs.loops(args, NAME)
        if (loops > 1) {
            // One buffer per loop: each is shared only by the coroutines of that loop's thread.
            val group = LoopGroupScope(LoopGroup(loops))
            val buffers = group.group.loops().associateWith { ByteBuffer.allocateDirect(65536) }
            val reusePort = ServerArgs.reusePort(args)
            group.serve(address, ServerArgs.BACKLOG, reusePort, onListening = { ServerArgs.ready(NAME, address) }) { socket ->
                echo(socket, buffers.getValue(socket.map))
            }
            ServerArgs.awaitForever(group.group)
            return
        }
        val shared = ByteBuffer.allocateDirect(65536) // loop thread only
        SocketMap().use { map ->
            map.runUntilComplete {
                SuspendingServer.serve(address, backlog = ServerArgs.BACKLOG, onListening = { ServerArgs.ready(NAME, address) })
                    .collect { socket ->
                        launch {
                            socket.use { echo(it, shared) }
                        }
                    }
            }
        }
    }

    /** Echoes until the client closes its side; a reset ends only this connection. */
    private suspend fun echo(socket: SuspendingSocket, shared: ByteBuffer) {
        try {
            while (true) {
                shared.clear()
                if (socket.read(shared) < 0) break // the client closed its side
                socket.write(shared.flip())
            }
        } catch (e: IOException) {
            // reset by the peer: this connection is done, the server goes on
        }
    }
}
