package io.asyncore.samples.http

import io.asyncore.SocketMap
import io.asyncore.Tls
import io.asyncore.coroutines.SuspendingSocket
import io.asyncore.samples.Failures
import java.io.IOException
import java.net.InetSocketAddress
import java.net.URI
import java.net.UnknownHostException
import java.nio.ByteBuffer
import java.time.Duration
import javax.net.ssl.SSLContext
import kotlinx.coroutines.withTimeoutOrNull

/**
 * An HTTP `GET` as a suspend function, following redirects (301, 302, 303, 307, 308) up to
 * [maxRedirects]: the suspending counterpart of [AsyncHttp] with a [RedirectingConsumer]. It
 * parses with the same rules, so Content-Length, chunked and close-delimited bodies work and
 * malformed responses fail the same way.
 *
 * https: the connection starts TLS right after the connect ([SuspendingSocket.startTls], before the
 * request is written, so not one byte of it goes out in plaintext) with [Tls.clientEngine]: SNI and
 * a check that the certificate is valid for the URL's host, trusting the JDK's default trust store
 * or [trust] (for example [Tls.trusting]). The handshake may take the idle timeout. A
 * close-delimited body must end with the server's TLS close_notify: a bare TCP close could be an
 * attacker's truncation, and fails the request. Redirects may go from http to https and back.
 *
 * ```
 * val response = map.runUntilComplete { httpGet(URI("http://127.0.0.1:8080/")) }
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
 * @param trust the client TLS context for https URLs, or null for the JDK's default trust store
 * @param onRedirect told each URL a redirect leads to, in order
 * @throws HttpException with a one-line message: a malformed URL, an unknown host, a refused
 *   connection, a TLS failure (an untrusted, expired or wrong-host certificate, no protocol in
 *   common: the core's message says which), a malformed or truncated response, a body over the
 *   limit, a timeout, a redirect loop or too many redirects
 */
public suspend fun httpGet(
    url: URI,
    maxRedirects: Int = RedirectingConsumer.DEFAULT_MAX_REDIRECTS,
    limits: HttpLimits = HttpLimits.DEFAULTS,
    map: SocketMap? = null,
    trust: SSLContext? = null,
    onRedirect: (URI) -> Unit = {},
): HttpResponse {
    require(maxRedirects >= 0) { "maxRedirects < 0: $maxRedirects" }
    val chain = mutableListOf(url)
    return withTimeoutOrNull(limits.requestTimeout().toMillis()) { follow(chain, maxRedirects, limits, map, trust, onRedirect) }
        ?: throw limits.requestTimedOut(chain.last())
}

/** Fetches the last URL of [chain] and the redirects it leads to, adding them to [chain]. */
private suspend fun follow(
    chain: MutableList<URI>,
    maxRedirects: Int,
    limits: HttpLimits,
    map: SocketMap?,
    trust: SSLContext?,
    onRedirect: (URI) -> Unit,
): HttpResponse {
    var current = chain.last()
    while (true) {
        val response = fetchOnce(current, limits, map, trust)
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
): HttpResponse = httpGet(url, maxRedirects, HttpLimits.DEFAULTS.withIdleTimeout(idleTimeout), map, onRedirect = onRedirect)

/** One request on a connection of its own. */
private suspend fun fetchOnce(url: URI, limits: HttpLimits, map: SocketMap?, trust: SSLContext?): HttpResponse {
    val target = HttpTarget.of(url)
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
            if (target.https()) { // before the request is written: it must not go out in plaintext
                val engine = if (trust == null) Tls.clientEngine(target.host(), target.port())
                    else Tls.clientEngine(trust, target.host(), target.port())
                socket.startTls(engine, limits.idleTimeout())
            }
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
