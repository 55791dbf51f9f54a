package io.asyncore.samples

import io.asyncore.SocketMap
import io.asyncore.coroutines.LoopThread
import io.asyncore.coroutines.runBlocking
import java.io.IOException
import java.io.PrintStream
import java.net.InetSocketAddress
import java.net.SocketAddress
import java.net.URI
import java.time.Duration
import java.time.Instant
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.function.BiConsumer
import java.util.function.Consumer
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.cancelChildren
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeoutOrNull

/**
 * The coroutine samples as plain blocking calls, for the Java command line and demo: each drives
 * the given map on the calling thread (`map.runBlocking`) until the sample is done.
 *
 * Errors: the samples' own [SampleException]s, with one-line messages; a [limit] that passes first
 * gives one too.
 */
public object CoroutineSamples {
    /** [fetchTime] on [map], on the calling thread. */
    @JvmStatic
    @Throws(IOException::class)
    public fun fetchTime(map: SocketMap, host: String, port: Int, limit: Duration): Instant =
        map.runBlocking { within(limit, "the time server at $host:$port") { fetchTime(host, port) } }

    /** [httpGet] on [map], on the calling thread; [onRedirect] hears each redirect's target. */
    @JvmStatic
    @Throws(IOException::class)
    public fun httpGet(map: SocketMap, url: URI, maxRedirects: Int, idleTimeout: Duration, onRedirect: Consumer<URI>): HttpResponse =
        httpGet(map, url, maxRedirects, HttpLimits.DEFAULTS.withIdleTimeout(idleTimeout), onRedirect)

    /** [httpGet] under [limits] on [map], on the calling thread; [onRedirect] hears each redirect's target. */
    @JvmStatic
    @Throws(IOException::class)
    public fun httpGet(map: SocketMap, url: URI, maxRedirects: Int, limits: HttpLimits, onRedirect: Consumer<URI>): HttpResponse =
        map.runBlocking { httpGet(url, maxRedirects, limits, onRedirect = { onRedirect.accept(it) }) }

    /** [echoOnce] on [map], on the calling thread. */
    @JvmStatic
    @Throws(IOException::class)
    public fun echo(map: SocketMap, host: String, port: Int, message: ByteArray, limit: Duration): ByteArray =
        map.runBlocking { within(limit, "the echo server at $host:$port") { echoOnce(host, port, message) } }

    /**
     * Starts an echo server on a [LoopThread] of its own: `"coroutine"` ([serveEcho]) or `"mixed"`
     * ([MixedEchoServer]). Returns once it listens; close the handle to stop it.
     *
     * @param onAccepted told each peer and the style serving it, on the loop thread
     * @throws IOException if it cannot listen on [address]
     */
    @JvmStatic
    @Throws(IOException::class)
    public fun startEchoServer(style: String, address: InetSocketAddress, onAccepted: BiConsumer<SocketAddress?, String>): RunningServer =
        startEchoServer(style, address, 0, onAccepted)

    /**
     * [startEchoServer] with a listen backlog: 0 means the system's, [io.asyncore.Asyncore.defaultBacklog].
     *
     * @throws IOException if it cannot listen on [address]
     */
    @JvmStatic
    @Throws(IOException::class)
    public fun startEchoServer(style: String, address: InetSocketAddress, backlog: Int, onAccepted: BiConsumer<SocketAddress?, String>): RunningServer {
        val loop = LoopThread("$style-echo-server")
        val listening = CompletableDeferred<InetSocketAddress>()
        loop.launch {
            try {
                serve(style, address, backlog, loop.map, this, { listening.complete(it) }, onAccepted)
            } catch (t: Throwable) {
                // Reported to the caller below; rethrowing would also print it as an uncaught exception.
                listening.completeExceptionally(t)
            }
        }
        try {
            val bound = kotlinx.coroutines.runBlocking { withTimeoutOrNull(10_000) { listening.await() } }
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
    public fun runEchoServer(style: String, address: InetSocketAddress, backlog: Int, out: PrintStream) {
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
                map.runBlocking {
                    val server = launch {
                        serve(style, address, backlog, map, this, { bound ->
                            listened = true
                            out.println("echo server ($style style) listening on ${Failures.format(bound)}; Ctrl-C stops it")
                            out.flush()
                        }) { peer, how ->
                            out.println("incoming connection from ${peer?.let { Failures.format(it) }}" +
                                if (style == "mixed") " (served in $how style)" else "")
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
        map: SocketMap,
        scope: CoroutineScope,
        onListening: (InetSocketAddress) -> Unit,
        onAccepted: BiConsumer<SocketAddress?, String>,
    ) {
        when (style) {
            "coroutine" -> serveEcho(address, { onListening(it as InetSocketAddress) }, { onAccepted.accept(it, "coroutine") }, backlog)
            "mixed" -> {
                val server = MixedEchoServer(address, map, scope, backlog) { peer, how -> onAccepted.accept(peer, how) }
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

    private suspend fun <T> within(limit: Duration, what: String, block: suspend () -> T): T =
        withTimeoutOrNull(limit.toMillis()) { block() } ?: throw SampleException("$what gave no result within ${limit.toSeconds()} s")
}

/** An echo server started by [CoroutineSamples.startEchoServer]: where it listens, and how to stop it. */
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
