package io.asyncore.coroutines

import io.asyncore.SocketMap
import java.io.IOException
import java.lang.ref.WeakReference
import java.nio.ByteBuffer
import java.nio.channels.SocketChannel

/**
 * The loop's side of a [SuspendingSocket]: turns readiness into resumed coroutines, and is the one
 * way the socket's bytes meet its channel. Every read goes through [receive] and every write through
 * [transmit] (the dispatcher's own `recv` and `send`), and the half-close through the dispatcher's
 * `shutdownOutput`, so whatever sits between a dispatcher and its channel (the transport: plain, or
 * TLS) sits under the suspending socket too.
 *
 * Interest: read-interested while a reader waits, write-interested while output is queued or a
 * connect waits. Loop thread only, as every dispatcher.
 *
 * It holds its socket weakly, so that a socket its users dropped without closing it becomes
 * garbage while this dispatcher is still in the map: leak detection watches the socket
 * ([watchLeaksOf]), reports it and closes this dispatcher.
 */
internal class SocketEvents(
    channel: SocketChannel?,
    map: SocketMap,
    socket: SuspendingSocket,
    private val input: InputBuffer,
    private val output: OutputQueue,
) : OwnedEvents(channel, map), Interest {
    private val socket = WeakReference(socket)

    init {
        watchLeaksOf(socket)
    }

    // While a recv or send of ours runs, its handleClose() (end of stream, or the peer went away)
    // only notes that it ran: the caller decides what the reader or writer sees.
    private var inCall = false
    private var closeSeen = false

    /** The reader waiting for input. */
    val readWaiter: Waiter = Waiter(map, this)

    /** The coroutine waiting for the connect to complete; made by the first connect that has to wait. */
    var connectWaiter: Waiter? = null
        private set

    override fun announcesInterest(): Boolean = true

    override fun changed() = interestChanged()

    override fun readable(): Boolean = readWaiter.isWaiting

    override fun writable(): Boolean = output.isNotEmpty || connectWaiter?.isWaiting == true

    override fun handleRead() {
        input.readinessSeen()
        readWaiter.wake()
    }

    override fun handleWrite() {
        if (output.isNotEmpty) {
            output.drain(this)
        }
    }

    /**
     * Completes the connect, then wakes its waiter: only now is the dispatcher connected, so the
     * coroutine (which may run right here) can send at once rather than queue.
     */
    override fun handleConnectEvent() {
        super.handleConnectEvent()
        if (isConnected) {
            connectWaiter?.wake()
        }
    }

    /** The connect completed; its waiter is woken by [handleConnectEvent] once connected. */
    override fun handleConnect() {}

    /**
     * Suspends until the connect started by `connect(address)` completes, unless it completed at
     * once. Cancelled, the waiter goes; the caller closes the half-open socket.
     */
    suspend fun awaitConnected() {
        if (isConnected) {
            return
        }
        val waiter = connectWaiter ?: Waiter(map(), this).also { connectWaiter = it }
        waiter.await()
    }

    /**
     * One read into [dst]: the bytes read, 0 if none has arrived, -1 at end of stream (the socket
     * stays open: the peer may still read). A peer that went away (reset) is thrown as an
     * [IOException] and leaves the socket open, as the channel's own read would.
     */
    fun receive(dst: ByteBuffer): Int {
        val goneBefore = peerWentAway()
        inCall = true
        val n = try {
            recv(dst)
        } finally {
            inCall = false
        }
        if (n < 0 && !goneBefore && peerWentAway()) {
            throw IOException("connection reset: the peer went away during a read")
        }
        return n
    }

    /**
     * One write from [src]: the bytes the kernel took (0 if its buffer is full). A peer that went
     * away (reset, broken pipe) is thrown as an [IOException]: to the writer, or from the write
     * event to the loop's error policy, as the channel's own write would be. Its message names both
     * causes, so that policy sees a disconnect (poll mode: a plain close), as it would have.
     */
    fun transmit(src: ByteBuffer): Int {
        closeSeen = false
        inCall = true
        val n = try {
            send(src)
        } finally {
            inCall = false
        }
        if (closeSeen) {
            throw IOException("connection reset or broken pipe: the peer went away during a write")
        }
        return n
    }

    /**
     * End of stream or a gone peer met by our own recv or send: noted, and the caller decides (a
     * read returns end of stream; a gone peer is thrown to the reader or writer). Otherwise the
     * peer went away as the loop found (poll mode): close, telling waiters why.
     */
    override fun handleClose() {
        if (inCall) {
            closeSeen = true
        } else {
            close()
        }
    }

    /** The coroutine waiting for the TLS handshake; made by the first [awaitHandshake] that has to wait. */
    var handshakeWaiter: Waiter? = null
        private set

    /** Queued output goes out in plaintext before the handshake (STARTTLS). */
    override fun takePlaintextBeforeTls(): ByteBuffer? {
        val queued = output.takeAll()
        changed()
        return queued
    }

    override fun handleTlsHandshake() {
        handshakeWaiter?.wake()
    }

    /** Suspends until the TLS handshake started by `startTls` completes; a failure closes the socket and is thrown. */
    suspend fun awaitHandshake() {
        if (tlsSession() != null) {
            return
        }
        val waiter = handshakeWaiter ?: Waiter(map(), null).also { handshakeWaiter = it }
        waiter.await()
    }

    override val ownerOpen: Boolean get() = socket.get()?.isOpen == true

    /** Dropped by its users: no one is left to tell. */
    override fun ownerClosed(cause: Throwable?) {
        socket.get()?.finishClose(cause)
    }
}
