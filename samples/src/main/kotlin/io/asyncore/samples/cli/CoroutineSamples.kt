package io.asyncore.samples.cli

import io.asyncore.SocketMap
import io.asyncore.coroutines.runUntilComplete
import io.asyncore.samples.SampleException
import io.asyncore.samples.echo.echoOnce
import io.asyncore.samples.http.HttpLimits
import io.asyncore.samples.http.HttpResponse
import io.asyncore.samples.http.httpGet
import io.asyncore.samples.starttls.startTlsConversation
import io.asyncore.samples.time.fetchTime
import io.asyncore.samples.time.fetchTimeUdp
import java.io.IOException
import java.net.URI
import java.time.Duration
import java.time.Instant
import java.util.function.Consumer
import javax.net.ssl.SSLContext
import kotlinx.coroutines.withTimeoutOrNull

/**
 * The coroutine samples as plain blocking calls, for the Java command line and demo: each drives
 * the given map on the calling thread (`map.runUntilComplete`) until the sample is done.
 *
 * Errors: the samples' own [SampleException]s, with one-line messages; a [limit] that passes first
 * gives one too.
 */
public object CoroutineSamples {
    /** [fetchTime] on [map], on the calling thread. */
    @JvmStatic
    @Throws(IOException::class)
    public fun fetchTime(map: SocketMap, host: String, port: Int, limit: Duration): Instant =
        map.runUntilComplete { within(limit, "the time server at $host:$port") { fetchTime(host, port) } }

    /** [fetchTimeUdp] on [map], on the calling thread: RFC 868 over UDP, asking up to 3 times, a second apart. */
    @JvmStatic
    @Throws(IOException::class)
    public fun fetchUdpTime(map: SocketMap, host: String, port: Int, limit: Duration): Instant =
        map.runUntilComplete { within(limit, "the time server at $host:$port") { fetchTimeUdp(host, port) } }

    /** [httpGet] on [map], on the calling thread; [onRedirect] hears each redirect's target. */
    @JvmStatic
    @Throws(IOException::class)
    public fun httpGet(map: SocketMap, url: URI, maxRedirects: Int, idleTimeout: Duration, onRedirect: Consumer<URI>): HttpResponse =
        httpGet(map, url, maxRedirects, HttpLimits.DEFAULTS.withIdleTimeout(idleTimeout), onRedirect)

    /** [httpGet] under [limits] on [map], on the calling thread; [onRedirect] hears each redirect's target. */
    @JvmStatic
    @Throws(IOException::class)
    public fun httpGet(map: SocketMap, url: URI, maxRedirects: Int, limits: HttpLimits, onRedirect: Consumer<URI>): HttpResponse =
        httpGet(map, url, maxRedirects, limits, null, onRedirect)

    /**
     * [httpGet] under [limits] on [map], on the calling thread, where https trusts the CAs of [trust]
     * (null: the JDK's default trust store); [onRedirect] hears each redirect's target.
     */
    @JvmStatic
    @Throws(IOException::class)
    public fun httpGet(
        map: SocketMap,
        url: URI,
        maxRedirects: Int,
        limits: HttpLimits,
        trust: SSLContext?,
        onRedirect: Consumer<URI>,
    ): HttpResponse = map.runUntilComplete { httpGet(url, maxRedirects, limits, trust = trust, onRedirect = { onRedirect.accept(it) }) }

    /** [echoOnce] on [map], on the calling thread. */
    @JvmStatic
    @Throws(IOException::class)
    public fun echo(map: SocketMap, host: String, port: Int, message: ByteArray, limit: Duration): ByteArray =
        echo(map, host, port, message, null, limit)

    /** [echoOnce] on [map], on the calling thread, over TLS trusting [trust] when it is given. */
    @JvmStatic
    @Throws(IOException::class)
    public fun echo(map: SocketMap, host: String, port: Int, message: ByteArray, trust: SSLContext?, limit: Duration): ByteArray =
        map.runUntilComplete { within(limit, "the echo server at $host:$port") { echoOnce(host, port, message, trust = trust) } }

    /** [startTlsConversation] on [map], on the calling thread: the transcript of the conversation. */
    @JvmStatic
    @Throws(IOException::class)
    public fun startTls(map: SocketMap, host: String, port: Int, commands: List<String>, trust: SSLContext, limit: Duration): List<String> =
        map.runUntilComplete {
            within(limit, "the STARTTLS server at $host:$port") { startTlsConversation(host, port, commands, trust) }
        }

    private suspend fun <T> within(limit: Duration, what: String, block: suspend () -> T): T =
        withTimeoutOrNull(limit.toMillis()) { block() } ?: throw SampleException("$what gave no result within ${limit.toSeconds()} s")
}
