package io.asyncore;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The cross-thread queue of a map: the one place where other threads meet the loop. Posting from
 * several threads between two passes costs one selector wake-up, which {@link #add} asks for.
 */
final class TaskQueue {
    /** Tasks run per pass at most, so a task that re-posts itself cannot starve I/O. */
    static final int PER_PASS = 4096;

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();

    /**
     * Queues {@code task}.
     *
     * @param fromLoop the caller is the loop thread, which looks at the queue before it waits
     * @return true if the caller must wake the selector
     */
    boolean add(Runnable task, boolean fromLoop) {
        tasks.add(task);
        return !fromLoop && wakeupPending.compareAndSet(false, true);
    }

    boolean isEmpty() {
        return tasks.isEmpty();
    }

    /** The next task, or {@code null}. */
    Runnable poll() {
        return tasks.poll();
    }

    /** The loop is past its wait: the next post from another thread must wake it again. */
    void woke() {
        if (wakeupPending.get()) { // a read is cheaper than a store on every pass
            wakeupPending.set(false);
        }
    }
}
