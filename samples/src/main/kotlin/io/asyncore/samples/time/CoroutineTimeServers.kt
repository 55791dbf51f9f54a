package io.asyncore.samples.time

import io.asyncore.SocketMap
import io.asyncore.coroutines.LoopThread
import io.asyncore.coroutines.SuspendingServer
import io.asyncore.coroutines.asCoroutineDispatcher
import io.asyncore.coroutines.runUntilComplete
import io.asyncore.samples.echo.RunningServer
import java.io.IOException
import java.net.InetSocketAddress
import java.time.Clock
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking

/**
 * The coroutine time servers ([serveTime], [serveUdpTime]) as plain calls for Java callers: the
 * command line, the demo, the samples' and the interop tests.
 */
public object CoroutineTimeServers {
    /**
     * Opens the TCP and UDP time servers on one port of [address] in [map] (port 0: a free one, the
     * same for both) and returns that port; they serve while the map's loop runs, until it closes
     * them. Call it while no thread drives [map] (it drives the map until both are bound).
     *
     * @throws IOException if either cannot bind
     */
    @JvmStatic
    @Throws(IOException::class)
    public fun start(map: SocketMap, address: InetSocketAddress, clock: Clock): Int {
        val (tcp, udp) = map.runUntilComplete {
            val tcp = SuspendingServer.bind(address, map)
            val port = (tcp.localAddress as InetSocketAddress).port
            try {
                tcp to bindUdpTime(InetSocketAddress(address.address, port), map)
            } catch (t: Throwable) {
                tcp.close()
                throw t
            }
        }
        val scope = CoroutineScope(map.asCoroutineDispatcher())
        scope.launch { serveTime(tcp, clock) }
        scope.launch { serveUdpTime(udp, clock) }
        return (tcp.localAddress as InetSocketAddress).port
    }

    /**
     * Starts the UDP time server on a [LoopThread] of its own and returns once it is bound; close
     * the handle to stop it.
     *
     * @throws IOException if it cannot bind [address]
     */
    @JvmStatic
    @Throws(IOException::class)
    public fun startUdp(address: InetSocketAddress, clock: Clock): RunningServer {
        val loop = LoopThread.start("udp-time-server")
        try {
            val socket = runBlocking { bindUdpTime(address, loop.map) }
            loop.launch { serveUdpTime(socket, clock) }
            return RunningServer(socket.localAddress as InetSocketAddress, loop)
        } catch (t: Throwable) {
            loop.close()
            throw t
        }
    }
}
