package io.asyncore.coroutines

import java.nio.ByteBuffer

/**
 * A [SuspendingSocket]'s input: the bytes received and not yet returned, end of stream, and when
 * the next read should wait for readiness instead of trying the kernel. Every read goes through
 * [SocketEvents.receive]. Loop thread only.
 *
 * A socket waiting for data holds no buffer: with nothing buffered, a read lands in the loop
 * thread's scratch buffer and only an array of exactly what arrived is kept, and a buffer that
 * empties is dropped.
 */
internal class InputBuffer {
    // Bytes received and not yet returned live in buf[start until end].
    private var buf: ByteArray = EMPTY
    private var start = 0
    private var end = 0

    /** True once a read met end of stream. */
    var eof: Boolean = false
        private set

    /**
     * True after a read that did not fill the room it was offered: the kernel's queue was empty
     * then, so the next read waits for readiness instead of trying a call that would find nothing.
     * Also true after [READS_PER_TURN] reads in a row without a wait: a reader whose reads always
     * find bytes would otherwise never suspend, and keep the loop from every other channel while
     * its peer keeps sending. Safe only because the map's selector is level-triggered: bytes that
     * arrived in between, or were left behind, are reported at the next select. An edge-triggered
     * loop would have to drop this shortcut.
     */
    var drained: Boolean = false
        private set
    private var readsInTurn = 0

    /** Read system calls made so far; for tests. */
    var readCalls: Long = 0L
        private set

    /** Bytes buffered and not yet returned. */
    val available: Int get() = end - start

    /** The capacity of the buffer held (0 when none). */
    val capacity: Int get() = buf.size

    /** The loop reported the socket readable: the next read tries the kernel again. */
    fun readinessSeen() {
        drained = false
        readsInTurn = 0
    }

    /** One read straight into [dst], bypassing the buffer; -1 (and [eof]) at end of stream. */
    fun receiveInto(dst: ByteBuffer, events: SocketEvents): Int {
        val room = dst.remaining()
        readCalls++
        return counted(events.receive(dst), room)
    }

    /** One read into the buffer, growing or compacting it as needed; -1 (and [eof]) at end of stream. */
    fun receive(events: SocketEvents): Int {
        if (available == 0) {
            return receiveFresh(events)
        }
        if (buf.size - end < READ_CHUNK) {
            makeRoom()
        }
        val room = buf.size - end
        readCalls++
        val n = counted(events.receive(ByteBuffer.wrap(buf, end, room)), room)
        if (n > 0) {
            end += n
        }
        return n
    }

    /**
     * Nothing is buffered: read through the loop thread's scratch buffer and keep an array of
     * exactly what arrived, so a socket waiting for data holds no buffer of its own.
     */
    private fun receiveFresh(events: SocketEvents): Int {
        val scratch = scratch()
        readCalls++
        val n = counted(events.receive(scratch), scratch.capacity())
        if (n > 0) {
            buf = ByteArray(n)
            scratch.flip().get(buf)
            start = 0
            end = n
        }
        return n
    }

    /** Notes what one read of [room] bytes returned: pacing, or end of stream. */
    private fun counted(n: Int, room: Int): Int {
        if (n > 0) {
            drained = n < room || ++readsInTurn >= READS_PER_TURN
        } else if (n < 0) {
            eof = true
        }
        return n
    }

    private fun makeRoom() {
        val avail = available
        if (start > 0 && buf.size - avail >= READ_CHUNK) {
            buf.copyInto(buf, 0, start, end)
        } else {
            val bigger = ByteArray(maxOf(buf.size * 2, avail + READ_CHUNK))
            buf.copyInto(bigger, 0, start, end)
            buf = bigger
        }
        start = 0
        end = avail
    }

    /** Takes the first [n] buffered bytes as an array (the buffer itself when it holds exactly them). */
    fun take(n: Int): ByteArray {
        if (start == 0 && n == buf.size && end == n) {
            val all = buf // an exact array from receiveFresh(): hand it over without a copy
            consume(n)
            return all
        }
        return buf.copyOfRange(start, start + n).also { consume(n) }
    }

    /** Moves the first [n] buffered bytes into [dst]. */
    fun takeInto(dst: ByteBuffer, n: Int) {
        dst.put(buf, start, n)
        consume(n)
    }

    /** The buffered bytes as a buffer over the same array, valid until the next change; [consume] them after use. */
    fun buffered(): ByteBuffer = ByteBuffer.wrap(buf, start, available)

    /** Drops the first [n] buffered bytes; an emptied buffer is let go. */
    fun consume(n: Int) {
        start += n
        if (start == end) {
            release() // a drained socket holds no buffer: the next read goes through the scratch buffer
        }
    }

    /** Where [delim] first starts, as an offset from the first buffered byte, searching from offset [from]; -1 if nowhere. */
    fun indexOf(delim: ByteArray, from: Int): Int {
        val last = end - delim.size
        var i = start + from
        outer@ while (i <= last) {
            for (j in delim.indices) {
                if (buf[i + j] != delim[j]) {
                    i++
                    continue@outer
                }
            }
            return i - start
        }
        return -1
    }

    /** Drops the buffer if it holds nothing: an abandoned wait keeps no memory. */
    fun releaseIfEmpty() {
        if (available == 0) {
            release()
        }
    }

    /** Drops the buffer and what it holds. */
    fun release() {
        buf = EMPTY
        start = 0
        end = 0
    }

    /** Everything buffered, as a new array, and the buffer dropped: the read-ahead a detach hands over. */
    fun takeAll(): ByteArray = buf.copyOfRange(start, end).also { release() }

    companion object {
        private val EMPTY = ByteArray(0)
        private const val READ_CHUNK = 8192

        /** Reads in a row without waiting for readiness (at most 1 MiB with 64 KiB reads) before the loop gets a turn. */
        private const val READS_PER_TURN = 16

        /** The scratch buffer's size: the most one read into it takes. */
        const val SCRATCH_SIZE = 65536

        /** Per loop thread: reads land here first, and only the bytes that arrived are kept. */
        private val SCRATCH: ThreadLocal<ByteBuffer> = ThreadLocal.withInitial { ByteBuffer.allocateDirect(SCRATCH_SIZE) }

        /** The calling loop thread's scratch buffer, cleared: fill and empty it with no suspension between. */
        fun scratch(): ByteBuffer = SCRATCH.get().clear()
    }
}
