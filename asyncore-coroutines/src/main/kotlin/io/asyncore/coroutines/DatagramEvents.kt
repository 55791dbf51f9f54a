package io.asyncore.coroutines

import io.asyncore.SocketMap

/**
 * The loop's side of a [SuspendingDatagramSocket]: turns readiness into resumed coroutines.
 * Read-interested only while a receive waits, write-interested only while a send waits for room in
 * the kernel's buffer, so an idle datagram socket costs the loop nothing per pass. The datagrams
 * themselves go through the dispatcher's `recvFrom` and `sendTo`. Loop thread only, as every
 * dispatcher.
 */
internal class DatagramEvents(
    map: SocketMap,
    private val socket: SuspendingDatagramSocket,
) : OwnedEvents(null, map), Interest {
    /** The receive waiting for a datagram. */
    val readWaiter: Waiter = Waiter(map, this)

    /** The send waiting for room in the kernel's send buffer. */
    val writeWaiter: Waiter = Waiter(map, this)

    override fun announcesInterest(): Boolean = true

    override fun changed() = interestChanged()

    override fun readable(): Boolean = readWaiter.isWaiting

    override fun writable(): Boolean = writeWaiter.isWaiting

    override fun handleRead() {
        readWaiter.wake()
    }

    override fun handleWrite() {
        writeWaiter.wake()
    }

    /** A datagram connect completes at once and needs nothing more. */
    override fun handleConnect() {}

    /** A datagram socket has no peer to go away; the loop's poll mode calls this for a disconnect error. */
    override fun handleClose() {
        close()
    }

    override val ownerOpen: Boolean get() = socket.isOpen

    override fun ownerClosed(cause: Throwable?) = socket.finishClose(cause)
}
