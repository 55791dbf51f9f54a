package io.asyncore.coroutines

import io.asyncore.SocketMap
import java.nio.ByteBuffer

/**
 * A [SuspendingSocket]'s output: the bytes the kernel did not take yet, oldest first, the write
 * water marks, and the one writer waiting for the queue to drain. Every byte goes out through
 * [SocketEvents.transmit]; the socket is write-interested exactly while the queue holds bytes.
 * Loop thread only, except for the marks and the [bytes] snapshot.
 */
internal class OutputQueue(private val map: SocketMap) {
    /** The queued chunks, oldest first; null while none is queued, so an idle socket holds no queue. */
    private var chunks: ArrayDeque<ByteBuffer>? = null

    /** Bytes queued and not yet taken by the kernel. A snapshot off the loop thread. */
    @Volatile
    var bytes: Long = 0L
        private set

    @Volatile
    private var lowWater = DEFAULT_LOW_WATER

    @Volatile
    private var highWater = DEFAULT_HIGH_WATER

    /**
     * The writer waiting until [bytes] falls to [wakeWriterAt]; made by the first writer that has to
     * wait, so a socket whose writes the kernel always took holds none. Its interest is null: write
     * interest follows the queue, not the writer.
     */
    var writer: Waiter? = null
        private set
    private var wakeWriterAt = 0 // an Int (a water mark or 0): with the map it fits the object in 48 bytes

    /** True after the output was shut down: nothing more may be sent. */
    var shut: Boolean = false

    /** True while bytes wait for the kernel. */
    val isNotEmpty: Boolean get() = chunks != null

    /** True while a writer waits for the queue to drain. Loop thread. */
    val writerWaiting: Boolean get() = writer?.isWaiting == true

    /** Sets the marks; see [SuspendingSocket.setWriteWaterMarks]. Any thread. */
    fun setWaterMarks(low: Int, high: Int) {
        require(low in 0..high) { "need 0 <= low <= high, got low=$low high=$high" }
        lowWater = low
        highWater = high
    }

    /** Hands all of [src] over: to the kernel straight away when nothing is queued before it, the rest to the queue. */
    fun send(src: ByteBuffer, events: SocketEvents) {
        val queued = chunks
        if (queued == null) {
            events.transmit(src)
        }
        if (src.hasRemaining()) {
            val copy = ByteBuffer.allocate(src.remaining())
            copy.put(src).flip()
            (queued ?: ArrayDeque<ByteBuffer>().also { chunks = it }).addLast(copy)
            bytes += copy.remaining()
            events.changed()
        }
    }

    /**
     * Hands queued bytes to the kernel, a bounded burst per event so one peer cannot starve the
     * loop, then wakes the writer if the queue fell to its mark. A queue that empties is dropped.
     */
    fun drain(events: SocketEvents) {
        val queued = chunks ?: return
        var burst = WRITES_PER_EVENT
        while (queued.isNotEmpty() && burst-- > 0) {
            val head = queued.first()
            bytes -= events.transmit(head)
            if (head.hasRemaining()) {
                break
            }
            queued.removeFirst()
        }
        if (queued.isEmpty()) {
            chunks = null
            events.changed()
        }
        if (bytes <= wakeWriterAt) {
            writer?.wake()
        }
    }

    /** Suspends the writer while more than the high-water mark is queued, until the low-water mark is reached. */
    suspend fun awaitBelowHighWater() {
        if (bytes > highWater) {
            awaitDrain(lowWater)
        }
    }

    /** Suspends the writer until every queued byte has gone to the kernel. */
    suspend fun awaitEmpty() {
        if (bytes > 0) {
            awaitDrain(0)
        }
    }

    private suspend fun awaitDrain(target: Int) {
        wakeWriterAt = target
        (writer ?: Waiter(map, null).also { writer = it }).await()
    }

    /** Fails the waiting writer, if any, with what [cause] makes; see [Waiter.fail]. */
    inline fun failWriter(cause: () -> Throwable) {
        writer?.fail(cause)
    }

    /** Takes every queued byte out, in order, for STARTTLS to send in plaintext first; null if none. */
    fun takeAll(): ByteBuffer? {
        val queued = chunks ?: return null
        val all = ByteBuffer.allocate(Math.toIntExact(bytes))
        queued.forEach { all.put(it) }
        chunks = null
        bytes = 0
        return all.flip()
    }

    /** Drops every queued byte: the socket closed. */
    fun clear() {
        chunks = null
        bytes = 0
    }

    private companion object {
        const val WRITES_PER_EVENT = 16
        const val DEFAULT_LOW_WATER = 16 * 1024
        const val DEFAULT_HIGH_WATER = 64 * 1024
    }
}
