package io.asyncore.coroutines

import java.util.concurrent.Executors
import java.util.concurrent.LinkedBlockingQueue
import kotlin.coroutines.CoroutineContext
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.withContext

/**
 * A caller's dispatcher that only queues: the test resumes its coroutines one step at a time with
 * [runNext], on a thread of its own (never the loop), so it can act between two steps.
 */
class SteppedDispatcher : CoroutineDispatcher(), AutoCloseable {
    private val queue = LinkedBlockingQueue<Runnable>()
    private val executor = Executors.newSingleThreadExecutor()

    /** Steps dispatched and not yet run. */
    val pending: Int get() = queue.size

    override fun dispatch(context: CoroutineContext, block: Runnable) {
        queue.add(block)
    }

    /** Runs the oldest queued step on this dispatcher's thread and waits for it to return. */
    suspend fun runNext() {
        val step = queue.remove()
        withContext(executor.asCoroutineDispatcher()) { step.run() }
    }

    override fun close() {
        executor.shutdownNow()
    }
}
