package io.asyncore.samples.echo

import io.asyncore.coroutines.LoopThread
import java.net.InetSocketAddress

/**
 * A server on a loop thread of its own, started by [CoroutineEchoServers.start] or
 * [io.asyncore.samples.time.CoroutineTimeServers.startUdp]: where it listens, and how to stop it.
 */
public class RunningServer internal constructor(
    /** The address it listens on. */
    public val address: InetSocketAddress,
    private val loop: LoopThread,
) : AutoCloseable {
    /** The port it listens on. */
    public fun port(): Int = address.port

    /** Stops the server and its connections; waits up to 10 s for its thread. */
    override fun close() {
        loop.close()
    }
}
