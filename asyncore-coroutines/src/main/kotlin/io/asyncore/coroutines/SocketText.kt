package io.asyncore.coroutines

import java.io.IOException
import java.nio.charset.Charset

/**
 * Reads the next line and decodes it with [charset]: the bytes up to a `\n`, without it and
 * without a `\r` just before it, so both `\n` and `\r\n` end a line (a lone `\r` does not).
 * Returns null at a clean end of stream, as Okio's `readUtf8Line` and `BufferedReader.readLine`
 * do; a last line that the stream ends without terminating is returned as a line first.
 *
 * ```
 * while (true) {
 *     val line = socket.readLine() ?: break // the peer closed
 *     socket.writeString("you said: $line\r\n")
 * }
 * ```
 *
 * Malformed input is decoded as `String(bytes, charset)` decodes it (replaced by U+FFFD), not
 * rejected. Cancellation and the one-reader rule are as for [SuspendingSocket.readUntil]: a
 * cancelled call consumes nothing.
 *
 * @param maxLength the longest line accepted, in bytes, not counting its `\n` or `\r\n`; a peer
 *   that sends a longer one gets an [IOException] rather than unbounded buffering. Default 8192.
 * @param charset how the line's bytes are decoded; one that encodes `\n` and `\r` as the single
 *   bytes 0x0A and 0x0D (UTF-8, the default, ASCII, ISO-8859-1, windows-1252, ...)
 * @return the line, or null at end of stream (see the table in [SuspendingSocket]'s class notes)
 * @throws IOException if a line is longer than [maxLength]: nothing is consumed, and its bytes
 *   stay buffered (for [SuspendingSocket.readUpTo] or [SuspendingSocket.readUntil] to skip, or
 *   close the socket)
 * @throws SocketClosedException if the socket is or gets closed
 * @throws IllegalStateException if another read is in progress
 * @throws IllegalArgumentException if [maxLength] is negative, or [charset] does not encode line
 *   breaks as single bytes (UTF-16, UTF-32)
 */
public suspend fun SuspendingSocket.readLine(maxLength: Int = 8192, charset: Charset = Charsets.UTF_8): String? {
    require(encodesLineBreaksAsAscii(charset)) {
        "readLine() with $charset, which does not encode \\n and \\r as single bytes; " +
            "use an ASCII-compatible charset, or readUntil() with the encoded delimiter"
    }
    return readLineBytes(maxLength)?.let { String(it, charset) }
}

/**
 * Writes [text] encoded with [charset] (UTF-8 by default): [SuspendingSocket.write] of its bytes,
 * with the same suspension, cancellation and errors. Named as Okio's `writeString`: an overload
 * `write(String)` would sit beside `write(ByteArray, offset, length)`, whose offsets count bytes.
 *
 * @throws SocketClosedException if the socket is or gets closed
 * @throws IllegalStateException after [SuspendingSocket.shutdownOutput], or if another writer is suspended
 * @throws IOException if the peer reset the connection
 */
public suspend fun SuspendingSocket.writeString(text: String, charset: Charset = Charsets.UTF_8) {
    write(if (charset == Charsets.UTF_8) text.encodeToByteArray() else text.toByteArray(charset))
}

private fun encodesLineBreaksAsAscii(charset: Charset): Boolean =
    charset == Charsets.UTF_8 || charset == Charsets.US_ASCII || charset == Charsets.ISO_8859_1 ||
        "\r\n".toByteArray(charset).contentEquals(CRLF)

private val CRLF = byteArrayOf(0x0D, 0x0A)
