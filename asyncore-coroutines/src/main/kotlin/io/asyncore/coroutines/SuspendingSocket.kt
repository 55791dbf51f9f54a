package io.asyncore.coroutines

import io.asyncore.Asyncore
import io.asyncore.Dispatcher
import io.asyncore.SocketMap
import java.io.EOFException
import java.io.IOException
import java.net.InetSocketAddress
import java.net.SocketAddress
import java.net.SocketOption
import java.net.StandardSocketOptions
import java.net.UnknownHostException
import java.nio.ByteBuffer
import java.nio.channels.SocketChannel
import java.time.Duration
import javax.net.ssl.SSLEngine
import javax.net.ssl.SSLException
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CompletableDeferred

/**
 * A TCP (or Unix-domain stream) connection served by a [SocketMap]'s loop, with suspending reads
 * and writes: asyncore's dispatcher and asynchat's terminators, as suspend functions. Make one
 * with [connect], or wrap a connected channel (for example one a callback server accepted) with
 * the constructor; [SuspendingServer] hands them out as a `Flow`.
 *
 * ```
 * val socket = SuspendingSocket.connect(InetSocketAddress("127.0.0.1", 7007))
 * socket.writeString("ping\n")
 * val line = socket.readLine(maxLength = 1024) // null once the peer has closed
 * socket.close()
 * ```
 *
 * ## Reading, and the end of the stream
 * One rule: a call that returns *what has arrived* signals a clean end of stream with a value
 * (`-1` or `null`), so a read loop ends without an exception; a call that asks for *a whole
 * record* (a byte count or a delimiter) throws [EOFException] when the stream ends first, since
 * a truncated record is an error of the peer's. Either way no byte is lost: what a failed call
 * received stays buffered for the next read.
 *
 * | call | returns | at a clean end of stream | stream ends inside a record |
 * |---|---|---|---|
 * | [read] (`ByteBuffer`) | bytes read, at least 1 | `-1` | (returns what arrived) |
 * | [readUpTo] | 1 to `max` bytes | `null` | (returns what arrived) |
 * | [readLine] | the line, without `\n` or `\r\n` | `null` | the last line, unterminated |
 * | [readExactly] | exactly `n` bytes | [EOFException] | [EOFException]; the bytes stay buffered |
 * | [readUntil] | the bytes before the delimiter | [EOFException] | [EOFException]; the bytes stay buffered |
 * | [transferTo] | the bytes sent on | (returns the count) | (returns the count) |
 *
 * After the end of stream every read keeps answering the same way (`-1`, `null`, or the
 * exception); the socket stays open, so writes still work (the peer may only have half-closed).
 * A record too long for its `maxLength` ([readUntil], [readLine]) is an [IOException], and its
 * bytes stay buffered too.
 *
 * ## Interest
 * The socket asks the loop only for what a coroutine waits for: it is read-interested only while
 * a reader is suspended, and write-interested only while output is buffered or a connect is
 * pending. An idle socket costs the loop nothing per pass. Every operation is tried first and
 * suspends only when the kernel would block, with one exception: after a read that did not fill the
 * room it offered (the kernel's queue was empty then), the next read waits for readiness rather than
 * making a system call that would most likely find nothing. In a ping-pong that halves the reads.
 * And after 16 reads in a row that all found bytes, the next one waits for readiness too, so a peer
 * that never stops sending cannot keep the loop from its other channels.
 *
 * ## Nagle's algorithm is off
 * A TCP socket has `TCP_NODELAY` set (by the constructor, and by [connect] before it connects), as
 * asyncio's transports and Netty do and unlike a plain `SocketChannel`: bytes go out as soon as they
 * are written, and bulk transfers do not stall on the peer's delayed acknowledgements. Coalesce small
 * writes yourself, or turn it back on with [setOption].
 *
 * ## Threading
 * The suspend functions may be called from a coroutine on any dispatcher: they run on the loop
 * (hopping there and back when called from, say, `Dispatchers.IO`), so they never race with the
 * loop or with callback dispatchers of the same map. [close] is safe from any thread. The
 * constructor must run on the loop thread (or while no thread drives the map).
 *
 * ## One reader, one writer
 * At most one read may be in progress at a time, and at most one writer may be suspended
 * (a [write] above the high-water mark, [flush], [shutdownOutput]). A second one fails at once with
 * [IllegalStateException] saying so; serialise them (one coroutine per direction, or a `Mutex`).
 *
 * ## Cancellation
 * - A read cancelled while suspended consumes nothing: bytes already received stay buffered and the
 *   next read returns them (also for [readExactly], [readUntil] and [readLine], which keep a partial
 *   result buffered until it is complete). A read that has taken its bytes returns them: called from
 *   another dispatcher and cancelled on its way back, it still hands them over, and the caller
 *   sees the cancellation at its next suspension point.
 * - A [write] is all-or-nothing: once it reaches the loop its bytes are sent or buffered in full,
 *   before it suspends. Cancelling it while it waits for the buffer to drain only stops the wait:
 *   the bytes are still sent, in order. (Cancelled before it reached the loop, it sent nothing.)
 * - A cancelled [connect] closes the half-open socket.
 * - Cancellation removes the waiter and its interest; it never closes an open connection.
 *
 * ## Closing
 * [close] takes effect at once for every thread: [isOpen] is false when it returns, and later
 * calls throw [SocketClosedException]. The channel itself is released on the loop thread (at once
 * when called there, else at the end of the current or next pass); [awaitClosed] returns once it
 * is, however the socket closed, and tells why.
 *
 * ## Errors
 * [close] (or the map closing, or a failed write) resumes every waiting coroutine with
 * [SocketClosedException]; later calls throw it too, with the original failure as its cause.
 * I/O errors of the operation itself (connection reset, refused) are thrown as they come.
 *
 * ## Protocols: extension functions
 * The class is final. A protocol adds its own suspend functions as extension functions (as
 * [readLine] and [writeString] are), so they work on every socket [connect],
 * [SuspendingServer.accept] and the `Flow`s hand out, with no type of its own to construct:
 *
 * ```
 * suspend fun SuspendingSocket.readFrame(): ByteArray? {
 *     val header = readUpTo(1)?.first() ?: return null // clean end of stream between frames
 *     return readExactly(header.toInt() and 0xff)
 * }
 * ```
 *
 * Per-connection cleanup goes after [awaitClosed] (`launch { socket.awaitClosed(); release() }`),
 * or in a `finally` around the code that serves the socket. The loop-facing handlers stay
 * internal: the callback way to drive a connection is a `Dispatcher` subclass, reached through
 * [detach].
 */
public class SuspendingSocket private constructor(
    /** The map whose loop serves this socket. */
    public val map: SocketMap,
    channel: SocketChannel?,
) : AutoCloseable {

    /**
     * Serves an already connected [channel] in [map]: the bridge from callback code, such as a
     * callback server's `handleAccepted`. The channel is switched to non-blocking mode.
     *
     * Threading: on the loop thread (for example inside a handler), or while no thread drives the map.
     *
     * @throws IllegalArgumentException if the channel is not connected
     * @throws IllegalStateException if another thread is running the map's loop
     */
    public constructor(channel: SocketChannel, map: SocketMap) : this(map, requireConnected(channel))

    private val input = InputBuffer()
    private val output = OutputQueue(map)

    /** The token of the read in progress, or null. */
    private var reader: Any? = null

    @Volatile
    private var closedBy: SocketClosedException? = null

    /**
     * Null while open and nobody waits in [awaitClosed]; then a signal for them; [RELEASED] once the
     * channel is closed or detached. Loop thread.
     */
    private var closeSignal: CompletableDeferred<Unit>? = null

    private val events = SocketEvents(channel, map, this, input, output)

    init {
        channel?.let(::turnOffNagle)
    }

    /** True until the socket is closed or detached. Safe from any thread. */
    public val isOpen: Boolean get() = closedBy == null

    /** The local address, or null if unbound or closed. Safe from any thread. */
    public val localAddress: SocketAddress? get() = addressOrNull { it.localAddress }

    /** The peer's address, or null if not connected or closed. Safe from any thread. */
    public val remoteAddress: SocketAddress? get() = addressOrNull { it.remoteAddress }

    /** [address] of the channel; null if there is none, or it closed meanwhile (only then: other failures propagate). */
    private inline fun addressOrNull(address: (SocketChannel) -> SocketAddress?): SocketAddress? = try {
        channel()?.let(address)
    } catch (e: IOException) {
        null // ClosedChannelException: closed by the loop since channel() was read
    }

    /**
     * Sets a socket option of the connection, as `NetworkChannel.setOption` does: for example
     * `setOption(StandardSocketOptions.TCP_NODELAY, false)` to turn Nagle's algorithm back on (see
     * the class notes), or a larger `SO_SNDBUF`. Safe from any thread.
     *
     * @throws SocketClosedException if the socket is closed
     * @throws UnsupportedOperationException if the channel has no such option (`TCP_NODELAY` on a
     *   Unix-domain socket)
     * @throws IOException if the kernel refuses it
     */
    public fun <T> setOption(name: SocketOption<T>, value: T) {
        openChannel("setOption").setOption(name, value)
    }

    /**
     * The value of a socket option of the connection, as `NetworkChannel.getOption` gives it. Safe
     * from any thread.
     *
     * @throws SocketClosedException if the socket is closed
     * @throws UnsupportedOperationException if the channel has no such option
     */
    public fun <T> getOption(name: SocketOption<T>): T = openChannel("getOption").getOption(name)

    private fun openChannel(what: String): SocketChannel {
        checkOpen(what)
        return channel() ?: throw SocketClosedException("$what on a closed socket", null)
    }

    /**
     * Bytes buffered for sending and not yet taken by the kernel. Safe from any thread: off the
     * loop thread it is a snapshot (the loop may have sent more since); exact on the loop thread.
     */
    public val pendingOutput: Long get() = output.bytes

    /**
     * Sets when [write] suspends: once more than [high] bytes are buffered for sending, until at most
     * [low] remain. Defaults: 16 KiB and 64 KiB. Safe from any thread; applies to the next write.
     *
     * @throws IllegalArgumentException unless `0 <= low <= high`
     */
    public fun setWriteWaterMarks(low: Int, high: Int) {
        output.setWaterMarks(low, high)
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads what is available into [dst] (at least one byte), suspending until something arrives.
     * Bytes already buffered (left by [readUntil] or [readExactly]) come first; with none, a caller
     * on the loop has the kernel write straight into [dst], taking only what fits: no copy, and no
     * buffer of the socket's own. With a direct [dst] reused for every read, this and
     * `write(ByteBuffer)` are the allocation-free way to move bytes; [transferTo] does it for a
     * whole stream.
     *
     * @return the number of bytes read, -1 at end of stream, 0 only if [dst] has no room
     * @throws SocketClosedException if the socket is or gets closed
     * @throws IllegalStateException if another read is in progress
     */
    public suspend fun read(dst: ByteBuffer): Int = reading(
        "read(ByteBuffer)",
        need = { !dst.hasRemaining() || input.available > 0 },
        into = dst,
        take = { direct ->
            val n = minOf(dst.remaining(), input.available)
            when {
                direct > 0 -> direct // the kernel wrote straight into dst: nothing passed through the socket's buffer
                n == 0 && dst.hasRemaining() -> -1
                else -> {
                    input.takeInto(dst, n)
                    n
                }
            }
        },
    )

    /**
     * Reads between 1 and [max] bytes: what has arrived, suspending until something does.
     *
     * ```
     * while (true) {
     *     val data = socket.readUpTo(8192) ?: break // the peer closed
     *     socket.write(data)
     * }
     * ```
     *
     * @return the bytes; null at end of stream (see the table in the class notes)
     * @throws SocketClosedException if the socket is or gets closed
     * @throws IllegalStateException if another read is in progress
     * @throws IllegalArgumentException if [max] is not positive
     */
    public suspend fun readUpTo(max: Int): ByteArray? {
        require(max > 0) { "max <= 0: $max" }
        return reading("readUpTo", need = { input.available > 0 }, take = {
            if (input.available == 0) null else input.take(minOf(max, input.available))
        })
    }

    /**
     * Reads exactly [n] bytes (asynchat's numeric terminator), suspending until all have arrived.
     * Bytes arrive into the socket's buffer and are returned only when complete, so a cancelled or
     * failed call loses none of them.
     *
     * @throws EOFException if the stream ends first, even before the first byte (see the table in the
     *   class notes); the bytes received stay buffered for [readUpTo]
     * @throws IllegalArgumentException if [n] is negative
     */
    public suspend fun readExactly(n: Int): ByteArray {
        require(n >= 0) { "n < 0: $n" }
        return reading("readExactly", need = { input.available >= n }, take = {
            if (input.available < n) {
                throw EOFException("end of stream after ${input.available} of $n bytes; they stay buffered for readUpTo()")
            }
            input.take(n)
        })
    }

    /**
     * Reads up to [delimiter] (asynchat's string terminator) and returns the bytes before it; the
     * delimiter itself is consumed and not returned. Bytes after it stay buffered for the next read.
     *
     * @param maxLength the longest result accepted; a peer that sends more without a delimiter
     *   gets an [IOException] rather than unbounded buffering
     * @throws IOException if no delimiter comes within [maxLength] bytes (the bytes stay buffered)
     * @throws EOFException if the stream ends before the delimiter, even with nothing received (see
     *   the table in the class notes; [readLine] returns null there instead); the bytes stay buffered
     * @throws IllegalArgumentException if [delimiter] is empty or [maxLength] negative
     */
    public suspend fun readUntil(delimiter: ByteArray, maxLength: Int): ByteArray {
        require(delimiter.isNotEmpty()) { "delimiter is empty: pass at least one byte" }
        require(maxLength >= 0) { "maxLength < 0: $maxLength" }
        val delim = delimiter.copyOf()
        var scanned = 0 // offsets (from the first buffered byte) before this cannot start a delimiter
        var found = -1
        return reading("readUntil", need = {
            val at = input.indexOf(delim, scanned)
            val avail = input.available
            when {
                at > maxLength || (at < 0 && avail >= maxLength + delim.size) -> throw IOException(
                    "no delimiter within maxLength=$maxLength bytes ($avail buffered, left for readUpTo()); " +
                        "raise maxLength if such long records are expected",
                )
                at >= 0 -> {
                    found = at
                    true
                }
                else -> {
                    scanned = maxOf(0, avail - delim.size + 1)
                    false
                }
            }
        }, take = {
            if (found < 0) {
                throw EOFException("end of stream before the delimiter; ${input.available} bytes stay buffered for readUpTo()")
            }
            input.take(found).also { input.consume(delim.size) }
        })
    }

    /** [readUntil] with a UTF-8 delimiter, such as `"\r\n"`. */
    public suspend fun readUntil(delimiter: String, maxLength: Int): ByteArray =
        readUntil(delimiter.encodeToByteArray(), maxLength)

    /**
     * [readLine]'s framing: the bytes of the next line without its `\n` or `\r\n`, the last line
     * unterminated at end of stream, or null at a clean end of stream. A line over [maxLength] bytes
     * is an [IOException], and its bytes stay buffered.
     */
    internal suspend fun readLineBytes(maxLength: Int): ByteArray? {
        require(maxLength >= 0) { "maxLength < 0: $maxLength" }
        var scanned = 0 // offsets (from the first buffered byte) before this hold no \n
        var lineEnd = -1 // where the line found ends: its \r\n or \n starts here
        var terminator = 0
        return reading("readLine", need = {
            val lf = input.indexOf(LF_ARRAY, scanned)
            val avail = input.available
            if (lf >= 0) {
                terminator = if (lf > 0 && input.buffered().let { it.get(it.position() + lf - 1) } == CR) 2 else 1
                lineEnd = lf + 1 - terminator
                if (lineEnd > maxLength) throw lineTooLong(lineEnd.toLong(), maxLength)
                true
            } else {
                // A \r at the end may belong to the terminator: one byte of grace before giving up.
                if (avail > maxLength + 1L) throw lineTooLong(avail.toLong(), maxLength)
                scanned = avail
                false
            }
        }, take = {
            val avail = input.available
            when {
                lineEnd >= 0 -> input.take(lineEnd).also { input.consume(terminator) }
                avail == 0 -> null // a clean end of stream
                avail > maxLength -> throw lineTooLong(avail.toLong(), maxLength)
                else -> input.take(avail) // the last line, unterminated
            }
        })
    }

    private fun lineTooLong(atLeast: Long, maxLength: Int) = IOException(
        "a line of at least $atLeast bytes, over maxLength=$maxLength (its bytes stay buffered for readUpTo()); " +
            "raise maxLength if such long lines are expected",
    )

    /**
     * Sends everything this socket receives to [target] (which may be this socket itself: an echo)
     * until end of stream, and returns the number of bytes sent on; bytes already read ahead go
     * first. The bulk counterpart of a [readUpTo] and [write] loop, and what it costs nothing to
     * choose over one: when both sockets are served by the same map, each read lands in a buffer of
     * the loop thread's and goes from there straight to [target]'s kernel queue, so no byte is copied
     * into an array of its own unless [target]'s kernel queue is full. On return the bytes are sent
     * or buffered in [target]; call `target.flush()` to wait until the kernel has them all.
     *
     * Memory: [target] buffers at most its high-water mark plus one read (see [setWriteWaterMarks]);
     * above the mark this socket stops reading until [target] drains to its low-water mark.
     *
     * Counts as the one read in progress on this socket and as a writer on [target] for its whole
     * duration: it runs on the loop, and no other read of this socket may run meanwhile.
     *
     * Cancellation: stops the transfer. Bytes read before are sent on (in order); bytes not yet read
     * stay in the kernel for the next read. The count is lost with the cancellation.
     *
     * @return the bytes sent on, at end of stream
     * @throws SocketClosedException if either socket is or gets closed
     * @throws IllegalStateException if a read of this socket is in progress, another writer of
     *   [target] is suspended, or [target] was shut down for output
     * @throws IOException if either connection fails
     */
    public suspend fun transferTo(target: SuspendingSocket): Long {
        if (target.map !== map) {
            return transferThroughArrays(target) // two loop threads: each socket's bytes are touched on its own
        }
        return onLoop(map) {
            val token = Any()
            claimReader("transferTo", token)
            try {
                transferOnLoop(target)
            } finally {
                releaseReader(token)
            }
        }
    }

    private suspend fun transferOnLoop(target: SuspendingSocket): Long {
        var total = 0L
        while (true) {
            checkOpen("transferTo")
            target.checkWriter("transferTo")
            val avail = input.available
            if (avail > 0) {
                target.send(input.buffered())
                input.consume(avail)
                total += avail
            } else if (input.eof) {
                return total
            } else if (input.drained) {
                awaitInput()
                continue
            } else {
                // Shared by every socket of this loop thread: filled and emptied with no suspension between.
                val scratch = InputBuffer.scratch()
                val n = input.receiveInto(scratch, events)
                if (n < 0) {
                    return total
                }
                if (n == 0) {
                    awaitInput()
                    continue
                }
                target.send(scratch.flip())
                total += n
            }
            target.output.awaitBelowHighWater()
        }
    }

    private suspend fun transferThroughArrays(target: SuspendingSocket): Long {
        var total = 0L
        while (true) {
            val data = readUpTo(InputBuffer.SCRATCH_SIZE) ?: return total
            target.write(data)
            total += data.size
        }
    }

    // ------------------------------------------------------------------ writing

    /**
     * Sends [src] from its position to its limit: tries the kernel first and buffers the rest, then
     * suspends while more than the high-water mark is buffered, until the low-water mark is reached
     * (see [setWriteWaterMarks]). On return the bytes are sent or buffered, not necessarily
     * delivered: [flush] waits until the kernel has them all. [src] is consumed (its position
     * reaches its limit) and may be reused afterwards.
     *
     * Cancellation: see the class notes; a write is all-or-nothing.
     *
     * @throws SocketClosedException if the socket is or gets closed
     * @throws IllegalStateException after [shutdownOutput], or if another writer is suspended
     * @throws IOException if the peer reset the connection
     */
    public suspend fun write(src: ByteBuffer): Unit = onLoop(map) {
        checkWriter("write")
        send(src)
        output.awaitBelowHighWater()
    }

    /** Hands all of [src] over: to the kernel straight away when nothing is queued before it, the rest to the queue. Loop thread. */
    private fun send(src: ByteBuffer) = output.send(src, events)

    /** [write] of `src[offset until offset + length]`. */
    public suspend fun write(src: ByteArray, offset: Int = 0, length: Int = src.size - offset) {
        write(ByteBuffer.wrap(src, offset, length))
    }

    /**
     * Suspends until every buffered byte has been handed to the kernel. Cancelling it stops the wait;
     * the bytes are still sent.
     *
     * @throws SocketClosedException if the socket is or gets closed
     * @throws IllegalStateException if another writer is suspended
     */
    public suspend fun flush(): Unit = onLoop(map) { flushOnLoop("flush") }

    /**
     * Flushes, then half-closes: the peer reads end of stream, and this socket can still read what
     * the peer sends. Later writes fail. Idempotent. Cancelled while flushing, the output stays open
     * (and the buffered bytes are still sent).
     *
     * @throws SocketClosedException if the socket is or gets closed
     * @throws IllegalStateException if another writer is suspended
     */
    public suspend fun shutdownOutput(): Unit = onLoop(map) {
        if (!output.shut) {
            flushOnLoop("shutdownOutput")
            events.shutdownOutput() // the dispatcher's, through its transport
            output.shut = true
        }
    }

    // ------------------------------------------------------------------ ownership

    /**
     * Closes the connection: waiting coroutines resume with [SocketClosedException], buffered
     * output is dropped (call [flush] first to send it). Idempotent; after [detach] it does nothing
     * (the channel belongs to its new owner).
     *
     * Threading: safe from any thread, and its effect is visible at once: [isOpen] is false when it
     * returns, and every later call throws [SocketClosedException]. The channel is released on the
     * loop thread: right here when called there; otherwise at the end of the current or next pass
     * (if no thread drives the map, when it is next driven or closed). [awaitClosed] waits for that.
     */
    override fun close() {
        if (map.inLoop()) {
            closeOnLoop()
        } else {
            if (closedBy == null) {
                closedBy = SocketClosedException("socket closed")
            }
            map.execute(::closeOnLoop)
        }
    }

    private fun closeOnLoop() {
        if (closeSignal !== RELEASED) { // released already: closed (idempotent), or detached (not ours to close)
            events.close()
        }
    }

    /**
     * Suspends until the socket is closed and its channel released, however that happens: [close]
     * (from any thread), the peer resetting the connection under a write, the map closing, or
     * [detach]. Returns at once if that has happened already. Use it to clean up per-connection
     * state (`launch { socket.awaitClosed(); sessions.remove(id) }`), or to wait until a [close]
     * called off the loop has taken effect.
     *
     * Threading: from any coroutine; the loop must be driven for it to return. Cancellation stops
     * the wait and nothing else.
     *
     * @return the failure that closed the socket (an `IOException` such as a reset, or an
     *   `SSLException`); null for a plain [close], the map closing, or [detach]
     */
    public suspend fun awaitClosed(): Throwable? {
        onLoop(map) {
            val signal = closeSignal ?: CompletableDeferred<Unit>().also { closeSignal = it }
            signal.await()
        }
        return closedBy?.cause
    }

    /**
     * Hands the connection over to callback code: flushes buffered output, takes the socket out of
     * the map without closing it, and returns the channel with any bytes already read ahead. This
     * socket counts as closed afterwards ([awaitClosed] returns null, and [close] does nothing). Typical use:
     * `val d = socket.detach()`, then `MyDispatcher(d.channel, map)`, handing it `d.readAhead` as
     * input it has not seen yet. A caller cancelled on its way back from the loop gets no channel,
     * so it is closed rather than leaked.
     *
     * @throws IllegalStateException if a read is in progress or another writer is suspended
     * @throws SocketClosedException if the socket is closed
     */
    public suspend fun detach(): Detached = makeOnLoop(map, { it.channel.close() }) {
        check(reader == null) { "detach() while a read is in progress: let it finish or cancel it first" }
        flushOnLoop("detach")
        check(reader == null) { "detach() while a read is in progress: let it finish or cancel it first" }
        val channel = channel()!!
        val ahead = input.takeAll()
        closedBy = SocketClosedException("this socket was detached; its channel belongs to new code now")
        events.releaseSocket() // the channel is the caller's now: not a leak of this socket
        released()
        Detached(channel, ahead)
    }

    /**
     * Switches this socket to TLS through [engine] and returns once the handshake is complete:
     * from then on every read and write goes through the engine, and nothing else changes. Make
     * the engine with `io.asyncore.Tls` (`Tls.clientEngine(host, port)` checks the server's
     * certificate against the host name and sends it as SNI).
     *
     * STARTTLS: bytes written before this call go out in plaintext first. Bytes already received
     * and not yet read when it is called would otherwise pass as if they came over TLS (a peer
     * that sent `STARTTLS
INJECTED
` at once): they are refused, the socket closes, and this
     * throws [SSLException].
     *
     * A failed handshake (an untrusted or expired certificate, a host-name mismatch, no common
     * protocol, no answer within [handshakeTimeout]) closes the socket and is thrown as an
     * [SSLException] whose message says what was wrong. Afterwards the peer's close_notify is
     * the end of the stream; an end of stream without it is an [SSLException] from the read.
     * [shutdownOutput] sends close_notify; [close] sends it without waiting for an answer.
     *
     * Threading: from any coroutine. Cancellation while the handshake runs closes the socket.
     *
     * @throws IllegalStateException if the socket already runs TLS, or another reader or writer
     *     is suspended on it
     */
    public suspend fun startTls(
        engine: SSLEngine,
        handshakeTimeout: Duration = Dispatcher.DEFAULT_TLS_HANDSHAKE_TIMEOUT,
    ): Unit = onLoop(map) {
        checkOpen("startTls")
        check(!events.isTls) { "startTls() on a socket that already runs TLS" }
        check(reader == null && !output.writerWaiting) {
            "startTls() while another coroutine reads or writes this socket; let them finish first"
        }
        val unread = input.available
        if (unread > 0) {
            val refused = SSLException(
                "$unread bytes of plaintext arrived after the command that started TLS, before the handshake: " +
                    "refusing them (they could be an injected command) and closing the socket",
            )
            input.takeAll()
            events.handleError(refused)
            throw refused
        }
        try {
            events.startTls(engine, handshakeTimeout)
            events.awaitHandshake()
        } catch (e: CancellationException) {
            events.close()
            throw e
        }
    }

    /** The connection's description (addresses, state), for logs. */
    override fun toString(): String = "SuspendingSocket[${events}]"

    // ------------------------------------------------------------------ loop side

    internal val readInterested: Boolean get() = events.readable()
    internal val writeInterested: Boolean get() = events.writable()
    internal val bufferedInput: Int get() = input.available
    internal val inputCapacity: Int get() = input.capacity
    internal val writerWaiting: Boolean get() = output.writerWaiting

    /** Read system calls made so far. Loop thread; for tests. */
    internal val readCalls: Long get() = input.readCalls

    /** The capacity of the socket's own input buffer (0 when it holds none). Loop thread; for tests. */
    internal val inputBufferCapacity: Int get() = input.capacity

    private fun channel(): SocketChannel? = events.socket() as SocketChannel?

    private fun checkOpen(what: String) {
        closedBy?.let { throw SocketClosedException("$what on a closed socket: ${it.message}", it.cause ?: it) }
    }

    private fun checkWriter(what: String) {
        checkOpen(what)
        check(!output.shut) { "$what after shutdownOutput(): this socket no longer sends" }
        check(!output.writerWaiting) {
            "$what while another writer is suspended on this socket (waiting for its output to drain); " +
                "one writer at a time: await it first, or serialise writers with a Mutex"
        }
    }

    private suspend fun flushOnLoop(what: String) {
        checkWriter(what)
        output.awaitEmpty()
    }

    /**
     * One read: waits on the loop until [need] holds (or the stream ends), then [take]s the result.
     * With [into], a read that finds nothing buffered lets the kernel write straight into it, and
     * [take] is told how many bytes it wrote (0 if none: then the bytes are in the socket's buffer).
     * Only on the loop thread: a caller on another dispatcher could be cancelled on its way back
     * with the bytes already in [into], so its bytes always go through the socket's buffer.
     *
     * Inline, with [fill] and [awaitInput]: a read on the loop (every read of an idle connection)
     * is then one frame of its caller's, with no closure for [need] or [take] and no token of its
     * own, since on the loop nothing can release its claim but itself. An idle connection keeps
     * that frame alive; see benchmarks/notes.md, "Memory per idle coroutine connection".
     */
    private suspend inline fun <T> reading(
        what: String,
        crossinline need: () -> Boolean,
        into: ByteBuffer? = null,
        crossinline take: (Int) -> T,
    ): T {
        if (!map.inLoop()) {
            return readingOffLoop(what, { need() }, { take(it) })
        }
        claimReader(what, ON_LOOP)
        try {
            val direct = fill(need, into)
            return take(direct)
        } finally {
            releaseReader(ON_LOOP)
        }
    }

    /** [reading] from another dispatcher: every byte goes through the socket's buffer. */
    private suspend fun <T> readingOffLoop(what: String, need: () -> Boolean, take: (Int) -> T): T {
        val token = Any() // released off the loop's own flow: only this read's claim may be released
        return readOffLoop(map, { claimReader(what, token) }, { fill(need) }, {
            checkOpen(what) // closed while hopping back: the buffered bytes are gone
            take(0)
        }) { releaseReader(token) }
    }

    private fun claimReader(what: String, token: Any) {
        checkOpen(what)
        check(reader == null) {
            "$what while another read is in progress on this socket; " +
                "one reader at a time: await it first, or serialise readers with a Mutex"
        }
        reader = token
    }

    private fun releaseReader(token: Any) {
        if (reader === token) {
            reader = null
        }
    }

    /**
     * Receives until [need] holds or the stream ends; consumes nothing. Loop thread. With [into] and
     * nothing buffered, the kernel writes straight into [into] instead (no copy, no buffer of the
     * socket's own), and the count it wrote is returned; otherwise 0.
     */
    private suspend inline fun fill(crossinline need: () -> Boolean, into: ByteBuffer? = null): Int {
        while (!need() && !input.eof) {
            checkOpen("read")
            val found = when {
                input.drained -> 0
                into != null && input.available == 0 -> input.receiveInto(into, events).also { if (it > 0) return it }
                else -> input.receive(events)
            }
            if (found == 0) {
                awaitInput()
            }
        }
        return 0
    }

    /** Waits for readiness; cancelled, it keeps no buffer unless bytes are buffered. Loop thread. */
    private suspend inline fun awaitInput() {
        try {
            events.readWaiter.await()
        } catch (e: CancellationException) {
            input.releaseIfEmpty() // an abandoned wait keeps no buffer; buffered bytes stay for the next read
            throw e
        }
    }

    private suspend fun connectOnLoop(address: SocketAddress) {
        events.connect(address)
        events.awaitConnected()
    }

    /**
     * Runs once, on the loop, however the socket gets closed (called by [SocketEvents.close]);
     * resumes every waiter, then [awaitClosed]'s.
     */
    internal fun finishClose(cause: Throwable?) {
        if (closedBy == null) {
            closedBy = SocketClosedException(if (cause == null) "socket closed" else "socket closed after: $cause", cause)
        }
        val why = closedBy!!
        output.clear()
        input.release()
        events.readWaiter.fail { SocketClosedException("the socket was closed while a read waited", why.cause ?: why) }
        output.failWriter { SocketClosedException("the socket was closed while a write waited", why.cause ?: why) }
        events.connectWaiter?.fail { cause ?: SocketClosedException("the socket was closed while connecting") }
        events.handshakeWaiter?.fail { cause ?: SocketClosedException("the socket was closed during the TLS handshake") }
        released()
    }

    /** The channel is closed or handed over: [awaitClosed] returns from now on. Loop thread. */
    private fun released() {
        closeSignal?.complete(Unit)
        closeSignal = RELEASED
    }

    /** Connecting. */
    public companion object {
        /**
         * Connects to [address] and returns the connected socket: suspends until the connect
         * completes. IPv4, IPv6 and Unix-domain addresses are supported.
         *
         * Threading: from any coroutine. Cancellation closes the half-open socket.
         *
         * @param map the map to join; null means the map whose loop runs the calling coroutine
         * @throws IOException the connect's own failure (`ConnectException` when refused, ...)
         * @throws UnknownHostException if [address] is unresolved
         * @throws IllegalStateException if [map] is null and the caller is not on a loop
         */
        public suspend fun connect(address: SocketAddress, map: SocketMap? = null): SuspendingSocket {
            val family = Asyncore.protocolFamily(address)
            val m = mapOrCurrent(map, "SuspendingSocket.connect()")
            return makeOnLoop(m, SuspendingSocket::close) {
                val socket = SuspendingSocket(m, null)
                try {
                    socket.events.createSocket(family)
                    socket.channel()?.let(::turnOffNagle)
                    socket.connectOnLoop(address)
                } catch (t: Throwable) {
                    socket.events.close()
                    throw t
                }
                socket
            }
        }

        /**
         * TCP_NODELAY on, where the channel has it (not on Unix-domain sockets). With Nagle's algorithm
         * a write whose last segment is not full waits for the peer's acknowledgement of the previous
         * one, and with the peer's delayed acknowledgements that stalls bulk transfers: in the bulk echo
         * of benchmarks/run.sh, raw NIO without TCP_NODELAY moved about two thirds of the bytes per
         * second it moves with it, at about 1.3 times the CPU per byte.
         */
        private fun turnOffNagle(channel: SocketChannel) {
            if (StandardSocketOptions.TCP_NODELAY in channel.supportedOptions()) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true)
            }
        }

        private const val LF: Byte = '\n'.code.toByte()
        private val LF_ARRAY = byteArrayOf(LF)
        private const val CR: Byte = '\r'.code.toByte()

        /** [closeSignal] once the channel is released: completed, shared by every socket. */
        private val RELEASED = CompletableDeferred(Unit)

        /** The reader token of every read on the loop: there, only the read itself releases its claim. */
        private val ON_LOOP = Any()

        private fun requireConnected(channel: SocketChannel): SocketChannel {
            require(channel.isConnected) {
                "the channel is not connected; use SuspendingSocket.connect(address) to connect one"
            }
            return channel
        }
    }
}
