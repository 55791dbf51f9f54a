package io.asyncore.coroutines

import io.asyncore.SocketMap
import java.nio.ByteBuffer

/**
 * A [SuspendingSocket]'s output: the bytes the kernel did not take yet, oldest first, the write
 * water marks, and the one writer waiting for the queue to drain. Every byte goes out through
 * [SocketEvents.transmit]; the socket is write-interested exactly while the queue holds bytes.
 * Loop thread only, except for the marks and the [bytes] snapshot.
 */
internal class OutputQueue(map: SocketMap) {
    private val chunks = ArrayDeque<ByteBuffer>()

    /** Bytes queued and not yet taken by the kernel. A snapshot off the loop thread. */
    @Volatile
    var bytes: Long = 0L
        private set

    @Volatile
    private var lowWater = DEFAULT_LOW_WATER

    @Volatile
    private var highWater = DEFAULT_HIGH_WATER

    /** The writer waiting until [bytes] falls to [wakeWriterAt]. */
    val writer: Waiter = Waiter(map, null) // write interest follows the queue, not the writer
    private var wakeWriterAt = 0L

    /** True after the output was shut down: nothing more may be sent. */
    var shut: Boolean = false

    /** True while bytes wait for the kernel. */
    val isNotEmpty: Boolean get() = chunks.isNotEmpty()

    /** Sets the marks; see [SuspendingSocket.setWriteWaterMarks]. Any thread. */
    fun setWaterMarks(low: Int, high: Int) {
        require(low in 0..high) { "need 0 <= low <= high, got low=$low high=$high" }
        lowWater = low
        highWater = high
    }

    /** Hands all of [src] over: to the kernel straight away when nothing is queued before it, the rest to the queue. */
    fun send(src: ByteBuffer, events: SocketEvents) {
        if (chunks.isEmpty()) {
            events.transmit(src)
        }
        if (src.hasRemaining()) {
            val copy = ByteBuffer.allocate(src.remaining())
            copy.put(src).flip()
            chunks.addLast(copy)
            bytes += copy.remaining()
            events.changed()
        }
    }

    /**
     * Hands queued bytes to the kernel, a bounded burst per event so one peer cannot starve the
     * loop, then wakes the writer if the queue fell to its mark.
     */
    fun drain(events: SocketEvents) {
        var burst = WRITES_PER_EVENT
        while (chunks.isNotEmpty() && burst-- > 0) {
            val head = chunks.first()
            bytes -= events.transmit(head)
            if (head.hasRemaining()) {
                break
            }
            chunks.removeFirst()
        }
        if (chunks.isEmpty()) {
            events.changed()
        }
        if (bytes <= wakeWriterAt) {
            writer.wake()
        }
    }

    /** Suspends the writer while more than the high-water mark is queued, until the low-water mark is reached. */
    suspend fun awaitBelowHighWater() {
        if (bytes > highWater) {
            awaitDrain(lowWater.toLong())
        }
    }

    /** Suspends the writer until every queued byte has gone to the kernel. */
    suspend fun awaitEmpty() {
        if (bytes > 0) {
            awaitDrain(0)
        }
    }

    private suspend fun awaitDrain(target: Long) {
        wakeWriterAt = target
        writer.await()
    }

    /** Takes every queued byte out, in order, for STARTTLS to send in plaintext first; null if none. */
    fun takeAll(): ByteBuffer? {
        if (chunks.isEmpty()) {
            return null
        }
        val all = ByteBuffer.allocate(Math.toIntExact(bytes))
        chunks.forEach { all.put(it) }
        chunks.clear()
        bytes = 0
        return all.flip()
    }

    /** Drops every queued byte: the socket closed. */
    fun clear() {
        chunks.clear()
        bytes = 0
    }

    private companion object {
        const val WRITES_PER_EVENT = 16
        const val DEFAULT_LOW_WATER = 16 * 1024
        const val DEFAULT_HIGH_WATER = 64 * 1024
    }
}
