package io.asyncore.samples.starttls

import io.asyncore.SocketMap
import io.asyncore.Tls
import io.asyncore.coroutines.SuspendingSocket
import io.asyncore.samples.Failures
import io.asyncore.samples.SampleException
import java.io.EOFException
import java.io.IOException
import java.net.InetSocketAddress
import java.net.UnknownHostException
import java.util.Locale
import javax.net.ssl.SSLContext

/**
 * The STARTTLS sample's client as a suspend function: the suspending counterpart of
 * [StartTlsClient], with the same protocol (see the package notes) and the same transcript. It
 * reads the greeting, then sends [commands] one at a time, each after the reply to the one before.
 * When the server answers `STARTTLS` with `220 go ahead`, it calls [SuspendingSocket.startTls] with
 * a client engine of [trust] (SNI, and the certificate must be valid for [host]), which returns once
 * the handshake is complete; the next command goes over TLS. A server that refuses `STARTTLS`
 * fails the conversation: the client never goes on in plaintext (the "STRIPTLS" downgrade).
 *
 * ```
 * val transcript = map.runUntilComplete { startTlsConversation("127.0.0.1", 2525, listOf("STARTTLS", "SECRET", "QUIT"), trust) }
 * ```
 *
 * Threading: from any coroutine; the socket is served by [map], or by the map whose loop runs the
 * caller when [map] is null. Cancellation closes the connection.
 *
 * @return the transcript: `C: ` before each command sent, `S: ` before each reply, and one
 *   `== TLS ...` line when the handshake completes
 * @throws SampleException with a one-line message: an unknown host, a refused connection, a TLS
 *   failure (an untrusted certificate...), a refused `STARTTLS`, or a server that closes early
 */
public suspend fun startTlsConversation(
    host: String,
    port: Int,
    commands: List<String>,
    trust: SSLContext,
    map: SocketMap? = null,
): List<String> {
    val address = InetSocketAddress(host, port)
    val transcript = mutableListOf<String>()
    var sent = 0
    var greeted = false
    try {
        if (address.isUnresolved) {
            throw UnknownHostException("cannot resolve host '$host'")
        }
        SuspendingSocket.connect(address, map).use { socket ->
            suspend fun reply(): String =
                String(socket.readUntil(StartTlsProtocol.CRLF, StartTlsProtocol.MAX_LINE), Charsets.US_ASCII)
                    .also { transcript += "S: $it" }
            reply()
            greeted = true
            for (command in commands) {
                transcript += "C: $command"
                socket.write((command + StartTlsProtocol.CRLF).toByteArray(Charsets.US_ASCII))
                sent++
                val answer = reply()
                if (command.uppercase(Locale.ROOT) == StartTlsProtocol.STARTTLS) {
                    if (answer != StartTlsProtocol.GO_AHEAD) {
                        throw SampleException(
                            "the server at ${Failures.format(address)} refused STARTTLS (\"$answer\"): not going on in plaintext",
                        )
                    }
                    val engine = Tls.clientEngine(trust, host, port)
                    socket.startTls(engine) // refuses plaintext that followed the reply
                    transcript += "== TLS ${engine.session.protocol} ${engine.session.cipherSuite} with $host"
                }
            }
        }
        return transcript
    } catch (e: SampleException) {
        throw e
    } catch (e: EOFException) {
        throw SampleException(
            "the server at ${Failures.format(address)} closed the connection " +
                if (greeted) "after $sent of ${commands.size} commands" else "before its greeting",
        )
    } catch (e: IOException) {
        throw SampleException(Failures.describe(e, address))
    }
}
