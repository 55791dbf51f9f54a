package io.asyncore.coroutines

import java.net.SocketAddress

/**
 * One datagram received by a [SuspendingDatagramSocket]: its bytes and who sent them.
 *
 * ```
 * val d = socket.receive()
 * socket.send(d.data, d.sender) // answer the sender
 * ```
 *
 * Two datagrams are equal when their bytes, senders and [truncated] flags are; [data] is the
 * datagram's own array (not shared with the socket), so it may be kept or changed freely.
 */
public class Datagram(
    /** The datagram's bytes: all of them, or the first `maxDatagramSize` when [truncated]. May be empty. */
    public val data: ByteArray,
    /** The address the datagram came from (an `InetSocketAddress`): where an answer goes. */
    public val sender: SocketAddress,
    /**
     * True if the datagram was larger than the socket's `maxDatagramSize` and [data] holds only its
     * first `maxDatagramSize` bytes; the rest is gone, as with the operating system's own `recvfrom`.
     */
    public val truncated: Boolean = false,
) {
    /** The number of bytes in [data]. */
    public val size: Int get() = data.size

    /** Equal bytes, sender and [truncated] flag. */
    override fun equals(other: Any?): Boolean =
        other is Datagram && data.contentEquals(other.data) && sender == other.sender && truncated == other.truncated

    /** Consistent with [equals]. */
    override fun hashCode(): Int = (data.contentHashCode() * 31 + sender.hashCode()) * 31 + truncated.hashCode()

    /** The size, sender and truncation, for logs (not the bytes). */
    override fun toString(): String = "Datagram[$size bytes from $sender${if (truncated) ", truncated" else ""}]"
}
