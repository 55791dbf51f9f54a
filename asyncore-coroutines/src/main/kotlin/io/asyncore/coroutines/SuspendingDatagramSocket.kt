package io.asyncore.coroutines

import io.asyncore.Asyncore
import io.asyncore.SocketMap
import io.asyncore.SocketType
import java.io.IOException
import java.net.Inet6Address
import java.net.InetSocketAddress
import java.net.ProtocolFamily
import java.net.SocketAddress
import java.net.StandardProtocolFamily
import java.net.UnixDomainSocketAddress
import java.net.UnknownHostException
import java.nio.ByteBuffer
import java.nio.channels.DatagramChannel
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.ensureActive
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow

/**
 * A UDP socket served by a [SocketMap]'s loop, with suspending [send] and [receive]: the datagram
 * counterpart of [SuspendingSocket], on the same loop as callback dispatchers and other sockets.
 * Make one with [bind] (a server, or a client that talks to several peers) or [connect] (a client
 * of one peer).
 *
 * ```
 * val server = SuspendingDatagramSocket.bind(InetSocketAddress("127.0.0.1", 0))
 * server.datagrams().collect { d -> server.send(d.data, d.sender) } // an echo server
 *
 * val client = SuspendingDatagramSocket.connect(server.localAddress!!)
 * client.send("ping".encodeToByteArray())
 * println(client.receive().data.decodeToString())
 * ```
 *
 * ## Datagrams
 * Each [send] is one datagram, sent whole or not at all; each [receive] returns one whole
 * [Datagram] with its sender. UDP itself may lose, duplicate or reorder datagrams: a protocol on top
 * asks again when no answer comes. An empty datagram is a datagram too (RFC 868 asks with one), but
 * only an unconnected socket can send one: the JDK's connected `DatagramChannel` skips empty
 * datagrams, so [send] refuses them there rather than send nothing.
 *
 * ## Maximum size and truncation
 * [maxDatagramSize] (default [DEFAULT_MAX_DATAGRAM_SIZE], 65,507 bytes: the largest UDP payload
 * over IPv4) bounds both directions. A [send] of more bytes fails at once with
 * [IllegalArgumentException]. A received datagram of more bytes is truncated to its first
 * [maxDatagramSize] bytes, as the operating system's `recvfrom` truncates to the buffer it is given,
 * and its [Datagram.truncated] is true (the socket receives into one byte more than the maximum, so
 * it can tell). The receive buffer (`maxDatagramSize + 1` bytes, outside the heap) is allocated by
 * the first receive and kept until [close]; choose a small maximum for a protocol of small
 * datagrams with many sockets.
 *
 * ## Address families
 * IPv4 and IPv6: the socket's family is that of the address given to [bind] or [connect], and it
 * sends to addresses of that family only. Unix-domain datagram sockets are not supported: JDK 17's
 * `DatagramChannel` has none (JEP 380 added Unix-domain *stream* sockets only; use
 * [SuspendingSocket] for those); a [UnixDomainSocketAddress] fails with [IllegalArgumentException]
 * saying so.
 *
 * ## Connected sockets
 * A socket made by [connect] (or connected later with [connect]`(peer)`) receives datagrams from its
 * peer only: the kernel drops the others. [send] without a target sends to the peer, and sending to
 * any other address fails. An ICMP "port unreachable" from the peer (nothing listens there) may come
 * back from a later [send] or [receive] as a `PortUnreachableException`; the socket stays open.
 *
 * ## Interest
 * Every operation is tried first and suspends only when the kernel would block. The socket is
 * read-interested only while a [receive] waits and write-interested only while a [send] waits for
 * room in the kernel's send buffer. After 16 receives in a row that each found a datagram, the next
 * one waits for the loop's next readiness report, so a peer that never stops sending cannot keep the
 * loop from its other channels.
 *
 * ## Threading
 * The suspend functions may be called from a coroutine on any dispatcher: they run on the loop
 * (hopping there and back when called from, say, `Dispatchers.IO`). [close] and the properties are
 * safe from any thread.
 *
 * ## One receiver, one waiting sender
 * At most one [receive] (or [datagrams] collector) may be in progress at a time, and at most one
 * [send] may wait for room. A second one fails at once with [IllegalStateException] saying so.
 *
 * ## Cancellation
 * - A [receive] cancelled while it waits takes no datagram: a datagram that arrives afterwards, or
 *   one the loop took for it just as it was cancelled, stays for the next [receive]. A receive
 *   called from another dispatcher that has taken its datagram returns it even if cancelled on its
 *   way back (the caller sees the cancellation at its next suspension point).
 * - A [send] cancelled while it waits for room sends nothing. One that reached the loop and sent
 *   its datagram has sent it, even if its caller was cancelled on the way back.
 * - Cancellation removes the waiter and its interest; it never closes the socket.
 *
 * ## Errors
 * [close] (or the map closing) resumes a waiting [receive] or [send] with [SocketClosedException];
 * later calls throw it too. I/O errors of an operation (`PortUnreachableException`, a message too
 * long for the network) are thrown to its caller and leave the socket open.
 */
public class SuspendingDatagramSocket private constructor(
    /** The map whose loop serves this socket. */
    public val map: SocketMap,
    /** The largest datagram this socket sends, and receives without truncating (see the class notes). */
    public val maxDatagramSize: Int,
    private val family: ProtocolFamily,
) : AutoCloseable {
    private val events = DatagramEvents(map, this)

    /** The receive in progress, if any. Loop thread. */
    private val reader = ReaderSlot {
        "receive() while another receive is in progress on this socket (or a datagrams() collector runs); " +
            "one receiver at a time: await it first, or serialise receivers with a Mutex"
    }

    /** A datagram received for a receive that has not taken it yet (cancelled, or hopping back). Loop thread. */
    private var held: Datagram? = null

    /** Allocated by the first receive: one byte more than the maximum, to see truncation. Loop thread. */
    private var buffer: ByteBuffer? = null

    /** Receives in a row that found a datagram without waiting; see the class notes on interest. Loop thread. */
    private var streak = 0

    @Volatile
    private var closeRequested = false

    @Volatile
    private var closedBy: SocketClosedException? = null

    /** True until the socket is closed. Safe from any thread. */
    public val isOpen: Boolean get() = closedBy == null

    /** The local address (with the real port when bound to port 0), or null once closed. Safe from any thread. */
    public val localAddress: SocketAddress? get() = address { it.localAddress }

    /** The peer's address if connected, else null (also once closed). Safe from any thread. */
    public val remoteAddress: SocketAddress? get() = address { it.remoteAddress }

    private inline fun address(get: (DatagramChannel) -> SocketAddress?): SocketAddress? {
        val channel = events.socket() as DatagramChannel? ?: return null
        return try {
            get(channel)
        } catch (closed: IOException) {
            null
        }
    }

    // ------------------------------------------------------------------ sending

    /**
     * Sends [src]'s remaining bytes as one datagram to [target], or to the connected peer when
     * [target] is null; on return the whole datagram is with the kernel and [src]'s position is at
     * its limit. Suspends only while the kernel's send buffer has no room for it.
     *
     * @throws IllegalArgumentException if the datagram is larger than [maxDatagramSize], or empty on a
     *   connected socket (see the class notes), or [target] is of another address family, a
     *   Unix-domain address, or not the peer of a connected socket
     * @throws IllegalStateException if [target] is null and the socket is not connected, or another
     *   send is waiting for room
     * @throws UnknownHostException if [target] is unresolved
     * @throws SocketClosedException if the socket is or gets closed
     * @throws IOException if the kernel refuses the datagram (`PortUnreachableException` after an
     *   earlier datagram to a connected peer found nobody listening, ...)
     */
    public suspend fun send(src: ByteBuffer, target: SocketAddress? = null) {
        val size = src.remaining()
        require(size <= maxDatagramSize) {
            "datagram of $size bytes is larger than maxDatagramSize=$maxDatagramSize: split it, or make the socket " +
                "with a larger maxDatagramSize (at most $MAX_UDP_PAYLOAD)"
        }
        target?.let { checkFamily(it, "send()") }
        onLoop(map) { sendOnLoop(src, target) }
    }

    /** [send] of `data[offset until offset + length]` as one datagram. */
    public suspend fun send(data: ByteArray, target: SocketAddress? = null, offset: Int = 0, length: Int = data.size - offset) {
        send(ByteBuffer.wrap(data, offset, length), target)
    }

    private suspend fun sendOnLoop(src: ByteBuffer, target: SocketAddress?) {
        checkOpen("send")
        val size = src.remaining()
        val peer = remoteAddress
        val to = when {
            target == null -> peer ?: throw IllegalStateException(
                "send() without a target on a socket that is not connected: pass the target address, or connect() first",
            )
            peer != null && target != peer -> throw IllegalArgumentException(
                "send() to $target on a socket connected to $peer: a connected socket sends to its peer only; " +
                    "pass no target, or use a socket made with bind()",
            )
            else -> target
        }
        require(size > 0 || peer == null) {
            "send() of an empty datagram on a connected socket: the JDK's connected DatagramChannel skips empty " +
                "datagrams without sending them; send it from a socket made with bind(), with a target"
        }
        check(!events.writeWaiter.isWaiting) {
            "send() while another send waits for room on this socket; one waiting sender at a time: " +
                "await it first, or serialise senders with a Mutex"
        }
        // The kernel takes a datagram whole or not at all; an empty one reports 0 either way, and
        // counts as sent (UDP may drop it anyway).
        while (events.sendTo(src, to) == 0 && src.hasRemaining()) {
            events.writeWaiter.await()
            checkOpen("send")
        }
    }

    // ------------------------------------------------------------------ receiving

    /**
     * Receives the next datagram, suspending until one arrives: its bytes (truncated to
     * [maxDatagramSize], see the class notes) and its sender. A connected socket receives only from
     * its peer.
     *
     * @throws SocketClosedException if the socket is or gets closed
     * @throws IllegalStateException if another receive is in progress
     * @throws IOException if the kernel reports an error (`PortUnreachableException` on a connected
     *   socket whose earlier datagram found nobody listening); the socket stays open
     */
    public suspend fun receive(): Datagram {
        val token = Any()
        if (!map.inLoop()) {
            return readOffLoop(map, { claimReader(token) }, ::awaitDatagram, {
                checkOpen("receive") // closed while hopping back: the held datagram is gone
                takeHeld()
            }) { reader.release(token) }
        }
        claimReader(token)
        try {
            awaitDatagram()
            return takeHeld()
        } finally {
            reader.release(token)
        }
    }

    /**
     * The incoming datagrams as a cold `Flow`: each collection [receive]s one datagram at a time,
     * when the collector asks for the next, so datagrams wait in the kernel's receive buffer (and
     * the kernel drops new ones once it is full) rather than piling up in memory.
     *
     * Closing the socket with [close] completes the flow normally; another failure of a receive
     * ends it with that exception. Ending the collection (cancelled, or by an operator such as
     * `take`) does not close the socket, which may still be needed to send answers. Counts as the
     * one receive in progress while it collects. Cancelled while it waits, it takes no datagram (see
     * [receive]); a datagram already handed to the collector is the collector's.
     */
    public fun datagrams(): Flow<Datagram> = flow {
        while (true) {
            val datagram = try {
                receive()
            } catch (e: SocketClosedException) {
                if (closeRequested) break else throw e
            }
            emit(datagram)
        }
    }

    /** Waits on the loop until a datagram is held (received now or kept from a cancelled receive). */
    private suspend fun awaitDatagram() {
        while (held == null) {
            checkOpen("receive")
            if (streak >= STREAK_LIMIT) {
                streak = 0
                events.readWaiter.await() // let the loop serve the others first; readiness comes on the next pass
                continue
            }
            val datagram = tryReceive()
            if (datagram == null) {
                streak = 0
                events.readWaiter.await()
                currentCoroutineContext().ensureActive() // cancelled just as readiness came: receive nothing
            } else {
                streak++
                held = datagram
            }
        }
    }

    /** One `recvfrom`: the datagram, or null if none is waiting. Loop thread. */
    private fun tryReceive(): Datagram? {
        val buf = buffer ?: ByteBuffer.allocateDirect(maxDatagramSize + 1).also { buffer = it }
        buf.clear()
        val sender = events.recvFrom(buf) ?: return null
        buf.flip()
        val truncated = buf.remaining() > maxDatagramSize
        val data = ByteArray(if (truncated) maxDatagramSize else buf.remaining())
        buf.get(data)
        return Datagram(data, sender, truncated)
    }

    private fun takeHeld(): Datagram {
        val datagram = held ?: throw IllegalStateException("no datagram held: a receive took it twice")
        held = null
        return datagram
    }

    private fun claimReader(token: Any) {
        checkOpen("receive")
        reader.claim(token)
    }

    // ------------------------------------------------------------------ connecting and closing

    /**
     * Connects this socket to [peer]: from now on it receives datagrams from [peer] only, and [send]
     * without a target sends there. Nothing goes over the network (UDP has no handshake). A datagram
     * from another sender that was received but not yet taken by a [receive] is dropped, as the
     * kernel drops those still queued.
     *
     * @throws IllegalArgumentException if [peer] is a Unix-domain address or of another family
     * @throws IllegalStateException if the socket is already connected
     * @throws UnknownHostException if [peer] is unresolved
     * @throws SocketClosedException if the socket is closed
     * @throws IOException if the kernel refuses
     */
    public suspend fun connect(peer: SocketAddress) {
        checkFamily(peer, "connect()")
        onLoop(map) {
            checkOpen("connect")
            check(remoteAddress == null) {
                "connect($peer) on a socket already connected to $remoteAddress: a datagram socket connects once; " +
                    "make another socket for another peer"
            }
            events.connect(peer)
            if (held?.sender?.let { it != peer } == true) {
                held = null
            }
        }
    }

    /**
     * Closes the socket: a waiting [receive] or [send] resumes with [SocketClosedException], a
     * [datagrams] collection completes, and a datagram received but not yet taken is dropped.
     * Idempotent. Safe from any thread: off the loop thread the close is posted to the loop and
     * happens there at the end of the current or next pass.
     */
    override fun close() {
        closeRequested = true
        if (map.inLoop()) {
            events.close()
        } else {
            map.execute { events.close() }
        }
    }

    /** Runs once, on the loop, however the socket gets closed (called by [DatagramEvents.close]). */
    internal fun finishClose(cause: Throwable?) {
        if (closedBy == null) {
            closedBy = SocketClosedException(
                if (cause == null) "datagram socket closed" else "datagram socket closed after: $cause",
                cause,
            )
        }
        val why = closedBy!!
        held = null
        buffer = null
        events.readWaiter.fail { SocketClosedException("the datagram socket was closed while a receive waited", why.cause ?: why) }
        events.writeWaiter.fail { SocketClosedException("the datagram socket was closed while a send waited", why.cause ?: why) }
    }

    private fun checkOpen(what: String) {
        closedBy?.let { throw SocketClosedException("$what on a closed datagram socket: ${it.message}", it.cause ?: it) }
    }

    private fun checkFamily(address: SocketAddress, what: String) {
        val theirs = familyOf(address, what)
        require(theirs == family || family == StandardProtocolFamily.INET6 && isV4(address)) {
            "$what to $address, an ${name(theirs)} address, on an ${name(family)} socket: make the socket " +
                "with an address of the family it talks to"
        }
    }

    /** The socket's description (addresses, state), for logs. */
    override fun toString(): String = "SuspendingDatagramSocket[$events]"

    // ------------------------------------------------------------------ loop side, for tests

    internal val receiveInterested: Boolean get() = events.readable()
    internal val sendInterested: Boolean get() = events.writable()
    internal val holdsDatagram: Boolean get() = held != null

    /** Making sockets. */
    public companion object {
        /** The default [maxDatagramSize]: 65,507 bytes, the largest UDP payload over IPv4 (65,535 − 20 − 8). */
        public const val DEFAULT_MAX_DATAGRAM_SIZE: Int = 65_507

        /** The largest [maxDatagramSize] accepted: 65,527 bytes, the largest UDP payload over IPv6 (65,535 − 8). */
        public const val MAX_UDP_PAYLOAD: Int = 65_527

        private const val STREAK_LIMIT = 16

        /**
         * Opens a datagram socket bound to [address] (port 0 picks a free port; see [localAddress]):
         * a server, or a client that talks to several peers. Its family is [address]'s.
         *
         * Threading: from any coroutine. Cancelled on its way back from the loop, it closes the socket.
         *
         * @param map the map to join; null means the map whose loop runs the calling coroutine
         * @param maxDatagramSize the largest datagram sent, or received without truncation (see the class notes)
         * @throws IllegalArgumentException if [maxDatagramSize] is out of range, or [address] is a
         *   Unix-domain address (JDK 17 has no Unix-domain datagram sockets)
         * @throws UnknownHostException if [address] is unresolved
         * @throws java.net.BindException if the address is in use
         * @throws IllegalStateException if [map] is null and the caller is not on a loop
         */
        public suspend fun bind(
            address: SocketAddress,
            map: SocketMap? = null,
            maxDatagramSize: Int = DEFAULT_MAX_DATAGRAM_SIZE,
        ): SuspendingDatagramSocket = open(address, map, maxDatagramSize, "SuspendingDatagramSocket.bind()") { events ->
            events.bind(address)
        }

        /**
         * Opens a datagram socket connected to [peer], bound to a free port of the wildcard address:
         * a client of one peer (see the class notes on connected sockets). Its family is [peer]'s.
         * Nothing goes over the network yet.
         *
         * Threading: from any coroutine. Cancelled on its way back from the loop, it closes the socket.
         *
         * @param map the map to join; null means the map whose loop runs the calling coroutine
         * @param maxDatagramSize the largest datagram sent, or received without truncation (see the class notes)
         * @throws IllegalArgumentException if [maxDatagramSize] is out of range, or [peer] is a
         *   Unix-domain address (JDK 17 has no Unix-domain datagram sockets)
         * @throws UnknownHostException if [peer] is unresolved
         * @throws IllegalStateException if [map] is null and the caller is not on a loop
         */
        public suspend fun connect(
            peer: SocketAddress,
            map: SocketMap? = null,
            maxDatagramSize: Int = DEFAULT_MAX_DATAGRAM_SIZE,
        ): SuspendingDatagramSocket = open(peer, map, maxDatagramSize, "SuspendingDatagramSocket.connect()") { events ->
            events.connect(peer)
        }

        private suspend fun open(
            address: SocketAddress,
            map: SocketMap?,
            maxDatagramSize: Int,
            what: String,
            setUp: (DatagramEvents) -> Unit,
        ): SuspendingDatagramSocket {
            require(maxDatagramSize in 1..MAX_UDP_PAYLOAD) {
                "maxDatagramSize must be between 1 and $MAX_UDP_PAYLOAD (the largest UDP payload, over IPv6), " +
                    "got $maxDatagramSize; the default, $DEFAULT_MAX_DATAGRAM_SIZE, fits any IPv4 datagram"
            }
            val family = familyOf(address, what)
            val m = mapOrCurrent(map, what)
            return makeOnLoop(m, SuspendingDatagramSocket::close) {
                val socket = SuspendingDatagramSocket(m, maxDatagramSize, family)
                try {
                    socket.events.createSocket(family, SocketType.DATAGRAM)
                    setUp(socket.events)
                } catch (t: Throwable) {
                    socket.events.close()
                    throw t
                }
                socket
            }
        }

        /** [address]'s family; Unix-domain addresses are refused, since the JDK has no such datagram sockets. */
        private fun familyOf(address: SocketAddress, what: String): ProtocolFamily {
            require(address !is UnixDomainSocketAddress) {
                "$what with the Unix-domain address $address: JDK 17's DatagramChannel has no Unix-domain datagram " +
                    "sockets (JEP 380 added Unix-domain stream sockets only); use SuspendingSocket for a Unix-domain " +
                    "stream, or an IPv4 or IPv6 address"
            }
            return Asyncore.protocolFamily(address)
        }

        /** An IPv4 address, or one mapped into IPv6, which an IPv6 socket reaches too. */
        private fun isV4(address: SocketAddress): Boolean =
            address is InetSocketAddress && address.address !is Inet6Address

        private fun name(family: ProtocolFamily): String = if (family == StandardProtocolFamily.INET6) "IPv6" else "IPv4"
    }
}
