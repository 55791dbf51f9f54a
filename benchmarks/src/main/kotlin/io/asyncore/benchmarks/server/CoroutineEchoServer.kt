package io.asyncore.benchmarks.server

import io.asyncore.SocketMap
import io.asyncore.coroutines.SuspendingServer
import io.asyncore.coroutines.runBlocking
import java.io.IOException
import kotlinx.coroutines.launch

/**
 * The asyncore coroutine echo server: the README's `Flow` server (`SuspendingServer.serve` and one
 * coroutine per connection: `readUpTo`, then `write`), driven by one thread in `map.runBlocking`.
 *
 * Two differences from the README: it reads up to 64 KiB at a time, as the callback server does,
 * and a connection that fails (the load generator closes with a reset) ends only its own
 * coroutine. Back-pressure is the library's: `write` suspends above the high-water mark, so the
 * coroutine stops reading. The `Flow` server gives no way to set socket options, so unlike the
 * other servers its connections keep Nagle's algorithm (`TCP_NODELAY` off); with one message in
 * flight per connection, ping-pong never waits on it.
 */
object CoroutineEchoServer {
    private const val NAME = "CoroutineEchoServer"

    @JvmStatic
    fun main(args: Array<String>) {
        val address = ServerArgs.address(args, NAME)
        SocketMap().use { map ->
            map.runBlocking {
                SuspendingServer.serve(address, backlog = ServerArgs.BACKLOG, onListening = { ServerArgs.ready(NAME, address) })
                    .collect { socket ->
                        launch {
                            socket.use {
                                try {
                                    while (true) {
                                        val data = it.readUpTo(65536)
                                        if (data.isEmpty()) break // the client closed its side
                                        it.write(data)
                                    }
                                } catch (e: IOException) {
                                    // reset by the peer: this connection is done, the server goes on
                                }
                            }
                        }
                    }
            }
        }
    }
}
