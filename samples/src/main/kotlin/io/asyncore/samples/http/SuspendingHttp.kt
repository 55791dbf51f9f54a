package io.asyncore.samples.http

import io.asyncore.SocketMap
import io.asyncore.coroutines.SuspendingSocket
import io.asyncore.samples.Failures
import java.io.IOException
import java.net.InetSocketAddress
import java.net.URI
import java.net.UnknownHostException
import java.nio.ByteBuffer
import java.time.Duration
import kotlinx.coroutines.withTimeoutOrNull

/**
 * An HTTP `GET` as a suspend function, following redirects (301, 302, 303, 307, 308) up to
 * [maxRedirects]: the suspending counterpart of [AsyncHttp] with a [RedirectingConsumer]. It
 * parses with the same rules, so Content-Length, chunked and close-delimited bodies work and
 * malformed responses fail the same way.
 *
 * ```
 * val response = map.runBlocking { httpGet(URI("http://127.0.0.1:8080/")) }
 * println(response.head().statusLine())
 * ```
 *
 * Limits ([HttpLimits]): each request fails after [HttpLimits.idleTimeout] without data, a body over
 * [HttpLimits.maxBodyBytes] fails (the body is buffered whole), and [HttpLimits.requestTimeout]
 * bounds the whole call, redirects included, so a server trickling an endless body fails too.
 *
 * Threading: from any coroutine; sockets are served by [map], or by the map whose loop runs the
 * caller when [map] is null.
 *
 * Cancellation: closes the connection in use.
 *
 * @param onRedirect told each URL a redirect leads to, in order
 * @throws HttpException with a one-line message: an https URL (not yet in this style) or a malformed URL, an unknown host, a
 *   refused connection, a malformed or truncated response, a body over the limit, a timeout, a
 *   redirect loop or too many redirects
 */
public suspend fun httpGet(
    url: URI,
    maxRedirects: Int = RedirectingConsumer.DEFAULT_MAX_REDIRECTS,
    limits: HttpLimits = HttpLimits.DEFAULTS,
    map: SocketMap? = null,
    onRedirect: (URI) -> Unit = {},
): HttpResponse {
    require(maxRedirects >= 0) { "maxRedirects < 0: $maxRedirects" }
    val chain = mutableListOf(url)
    return withTimeoutOrNull(limits.requestTimeout().toMillis()) { follow(chain, maxRedirects, limits, map, onRedirect) }
        ?: throw limits.requestTimedOut(chain.last())
}

/** Fetches the last URL of [chain] and the redirects it leads to, adding them to [chain]. */
private suspend fun follow(
    chain: MutableList<URI>,
    maxRedirects: Int,
    limits: HttpLimits,
    map: SocketMap?,
    onRedirect: (URI) -> Unit,
): HttpResponse {
    var current = chain.last()
    while (true) {
        val response = fetchOnce(current, limits, map)
        val next = Redirects.target(response.head()).orElse(null) ?: return response
        Redirects.check(chain, next, maxRedirects)
        onRedirect(next)
        chain += next
        current = next
    }
}

/** [httpGet] with the default limits but [idleTimeout]. */
public suspend fun httpGet(
    url: URI,
    maxRedirects: Int,
    idleTimeout: Duration,
    map: SocketMap? = null,
    onRedirect: (URI) -> Unit = {},
): HttpResponse = httpGet(url, maxRedirects, HttpLimits.DEFAULTS.withIdleTimeout(idleTimeout), map, onRedirect)

/** One request on a connection of its own. */
private suspend fun fetchOnce(url: URI, limits: HttpLimits, map: SocketMap?): HttpResponse {
    val target = HttpTarget.of(url)
    if (target.https()) {
        throw HttpException(
            "https is not available in the coroutine style yet (asyncore-coroutines has no startTls): " +
                "use the callback style (http-get --style callback) for $url",
        )
    }
    val address = InetSocketAddress(target.host(), target.port())
    val idleMillis = limits.idleTimeout().toMillis()
    fun timedOut() = limits.idleTimedOut(Failures.format(address), url)
    try {
        if (address.isUnresolved) {
            throw UnknownHostException("cannot resolve host '${target.host()}'")
        }
        val socket = withTimeoutOrNull(idleMillis) { SuspendingSocket.connect(address, map) }
            ?: throw timedOut()
        socket.use {
            socket.write(target.getRequest())
            val response = BufferingConsumer()
            val parser = ResponseParser(url, response, limits.maxBodyBytes())
            val buffer = ByteBuffer.allocate(16 * 1024)
            while (true) {
                buffer.clear()
                val n = withTimeoutOrNull(idleMillis) { socket.read(buffer) } ?: throw timedOut()
                if (n < 0) {
                    parser.endOfStream()
                    break
                }
                if (parser.feed(buffer.flip())) {
                    break
                }
            }
            response.done()
            return response.result().join()
        }
    } catch (e: HttpException) {
        throw e
    } catch (e: IOException) {
        throw HttpException(Failures.describe(e, address))
    }
}
