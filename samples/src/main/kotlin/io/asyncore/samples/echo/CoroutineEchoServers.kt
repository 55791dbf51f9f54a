package io.asyncore.samples.echo

import io.asyncore.SocketMap
import io.asyncore.coroutines.LoopThread
import io.asyncore.coroutines.runUntilComplete
import io.asyncore.samples.Failures
import io.asyncore.samples.SampleException
import java.io.IOException
import java.io.PrintStream
import java.net.InetSocketAddress
import java.net.SocketAddress
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.function.BiConsumer
import javax.net.ssl.SSLContext
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.cancelChildren
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeoutOrNull

/**
 * The echo servers that involve coroutines, `"coroutine"` ([serveEcho]) and `"mixed"`
 * ([MixedEchoServer]), as plain blocking calls for Java callers: the command line, the demo and
 * the reliability tests.
 */
public object CoroutineEchoServers {
    /**
     * Starts an echo server on a [LoopThread] of its own: `"coroutine"` ([serveEcho]) or `"mixed"`
     * ([MixedEchoServer]). Returns once it listens; close the handle to stop it.
     *
     * @param onAccepted told each peer and the style serving it, on the loop thread
     * @throws IOException if it cannot listen on [address]
     */
    @JvmStatic
    @Throws(IOException::class)
    public fun start(style: String, address: InetSocketAddress, onAccepted: BiConsumer<SocketAddress?, String>): RunningServer =
        start(style, address, 0, onAccepted)

    /**
     * [start] with a listen backlog: 0 means the system's, [io.asyncore.Asyncore.defaultBacklog].
     *
     * @throws IOException if it cannot listen on [address]
     */
    @JvmStatic
    @Throws(IOException::class)
    public fun start(style: String, address: InetSocketAddress, backlog: Int, onAccepted: BiConsumer<SocketAddress?, String>): RunningServer =
        start(style, address, backlog, null, onAccepted)

    /**
     * [start] over TLS when [tls] is given: every connection starts TLS with a server engine of
     * [tls] in the style that serves it (see [serveEcho] and [MixedEchoServer]); connections whose
     * TLS fails are closed, and the server goes on.
     *
     * @param tls the server's TLS context (for example from `Tls.server`), or null for plaintext
     * @throws IOException if it cannot listen on [address]
     */
    @JvmStatic
    @Throws(IOException::class)
    public fun start(
        style: String,
        address: InetSocketAddress,
        backlog: Int,
        tls: SSLContext?,
        onAccepted: BiConsumer<SocketAddress?, String>,
    ): RunningServer {
        val loop = LoopThread.start("$style-echo-server")
        val listening = CompletableDeferred<InetSocketAddress>()
        loop.launch {
            try {
                serve(style, address, backlog, tls, loop.map, this, { listening.complete(it) }, onAccepted) { _, _ -> }
            } catch (t: Throwable) {
                // Reported to the caller below; rethrowing would also print it as an uncaught exception.
                listening.completeExceptionally(t)
            }
        }
        try {
            val bound = runBlocking { withTimeoutOrNull(10_000) { listening.await() } }
                ?: throw SampleException("the $style echo server did not start listening within 10 s")
            return RunningServer(bound, loop)
        } catch (t: Throwable) {
            loop.close()
            throw t
        }
    }

    /**
     * The `echo-server --style coroutine|mixed` command: serves on the calling thread until the
     * JVM is asked to stop (Ctrl-C), then closes every connection and returns.
     *
     * @param backlog the listen backlog; 0 means the system's, [io.asyncore.Asyncore.defaultBacklog]
     */
    @JvmStatic
    @Throws(IOException::class)
    public fun runUntilStopped(style: String, address: InetSocketAddress, backlog: Int, out: PrintStream): Unit =
        runUntilStopped(style, address, backlog, null, out)

    /**
     * [runUntilStopped] over TLS when [tls] is given (`echo-server --tls-cert --tls-key --style
     * coroutine|mixed`). The mixed server prints each connection whose TLS failed; the coroutine
     * server's failed handshakes are logged by `SuspendingServer.tlsConnections`.
     *
     * @param tls the server's TLS context (for example from `Tls.server`), or null for plaintext
     */
    @JvmStatic
    @Throws(IOException::class)
    public fun runUntilStopped(style: String, address: InetSocketAddress, backlog: Int, tls: SSLContext?, out: PrintStream) {
        val stop = CompletableDeferred<Unit>()
        val stopped = CountDownLatch(1)
        val hook = Thread({
            stop.complete(Unit)
            stopped.await(5, TimeUnit.SECONDS)
        }, "echo server shutdown")
        Runtime.getRuntime().addShutdownHook(hook)
        var listened = false
        SocketMap().use { map ->
            try {
                map.runUntilComplete {
                    val server = launch {
                        serve(style, address, backlog, tls, map, this, { bound ->
                            listened = true
                            out.println("echo server ($style style${if (tls == null) "" else ", TLS"}) listening on " +
                                "${Failures.format(bound)}; Ctrl-C stops it")
                            out.flush()
                        }, { peer, how ->
                            out.println("incoming connection from ${peer?.let { Failures.format(it) }}" +
                                if (style == "mixed") " (served in $how style)" else "")
                            out.flush()
                        }) { peer, error ->
                            out.println("connection from ${Failures.format(peer)} failed: ${Failures.describe(error, null)}")
                            out.flush()
                        }
                    }
                    stop.await()
                    server.cancel()
                }
            } finally {
                if (listened) {
                    out.println("echo server stopped")
                    out.flush()
                }
                stopped.countDown()
                try {
                    Runtime.getRuntime().removeShutdownHook(hook)
                } catch (shuttingDown: IllegalStateException) {
                    // the hook is what stopped the server
                }
            }
        }
    }

    /** Serves until cancelled. */
    private suspend fun serve(
        style: String,
        address: InetSocketAddress,
        backlog: Int,
        tls: SSLContext?,
        map: SocketMap,
        scope: CoroutineScope,
        onListening: (InetSocketAddress) -> Unit,
        onAccepted: BiConsumer<SocketAddress?, String>,
        onFailed: (SocketAddress, Throwable) -> Unit,
    ) {
        when (style) {
            "coroutine" ->
                serveEcho(address, { onListening(it as InetSocketAddress) }, { onAccepted.accept(it, "coroutine") }, backlog, tls)
            "mixed" -> {
                val server = MixedEchoServer(address, map, scope, backlog, tls, onFailed) { peer, how -> onAccepted.accept(peer, how) }
                try {
                    onListening(InetSocketAddress(address.address, server.port()))
                    awaitCancellation()
                } finally {
                    server.close()
                    scope.coroutineContext.cancelChildren()
                }
            }
            else -> throw IllegalArgumentException("unknown echo server style '$style': use callback, coroutine or mixed")
        }
    }
}
