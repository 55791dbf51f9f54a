package io.asyncore.benchmarks.server

import io.asyncore.SocketMap
import io.asyncore.coroutines.runUntilComplete
import io.asyncore.samples.echo.GroupEchoServers
import io.asyncore.samples.echo.serveEcho

/**
 * The samples' coroutine echo server, the code `demo echo-server --style coroutine` runs
 * ([serveEcho] and its `echo` per connection), unchanged, driven by one thread in `map.runUntilComplete`.
 *
 * Only the wrapper differs from the command: it is told of each accepted peer by a no-op instead of
 * printing a line per connection, which would make the connection-scale run measure the console.
 * Its listen backlog and socket options are the sample's own, not [ServerArgs.BACKLOG]. With
 * `--loops N` (N above 1) it runs the sample's group server, `echo-server --style coroutine --loops N`.
 */
object SampleCoroutineEchoServer {
    private const val NAME = "SampleCoroutineEchoServer"

    @JvmStatic
    fun main(args: Array<String>) {
        val address = ServerArgs.address(args, NAME)
        val loops = ServerArgs.loops(args, NAME)
        if (loops > 1) {
            val server = GroupEchoServers.start("coroutine", address, 0, loops) { _, _ -> }
            ServerArgs.ready(NAME, address)
            ServerArgs.awaitForever(server.group())
            return
        }
        SocketMap().use { map ->
            map.runUntilComplete {
                serveEcho(address, onListening = { ServerArgs.ready(NAME, address) }, onAccepted = {})
            }
        }
    }
}
