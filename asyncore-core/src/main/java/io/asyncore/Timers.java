package io.asyncore;

import java.util.PriorityQueue;

/**
 * A map's timers: a heap ordered by deadline, then by the order they were scheduled. Confined to
 * the loop thread (timers from other threads arrive through the task queue); cancelled timers
 * stay in the heap until they reach its top, or until they are most of it.
 */
final class Timers {
    private final PriorityQueue<TimerHandle> heap = new PriorityQueue<>(TimerHandle::compare);
    private long sequence;
    private int cancelled;

    /** Schedules {@code task} at {@code deadline} (a {@link io.asyncore.internal.LoopClock} reading). */
    TimerHandle add(SocketMap map, long deadline, Runnable task) {
        TimerHandle handle = new TimerHandle(map, deadline, sequence++, task);
        heap.add(handle);
        return handle;
    }

    /** Schedules {@code task}, which runs {@code handle}'s task unless that was cancelled first: a timer handed over from another thread. */
    void adopt(SocketMap map, long deadline, TimerHandle handle, Runnable task) {
        heap.add(new TimerHandle(map, deadline, sequence++, () -> {
            if (handle.claim()) {
                task.run();
            }
        }));
    }

    boolean isEmpty() {
        return heap.isEmpty();
    }

    /** The next live timer, dropping cancelled ones from the top; {@code null} if none. */
    TimerHandle next() {
        TimerHandle t;
        while ((t = heap.peek()) != null && t.isCancelled()) {
            heap.poll();
            if (cancelled > 0) {
                cancelled--;
            }
        }
        return t;
    }

    /** A mark for {@link #takeDue}: timers scheduled after it wait for the next round. */
    long mark() {
        return sequence;
    }

    /**
     * Takes the next timer due at {@code now} that was scheduled before {@code mark}, or returns
     * {@code null}: a timer that re-arms itself with no delay cannot hold the loop in one round.
     */
    TimerHandle takeDue(long now, long mark) {
        TimerHandle t = next();
        if (t == null || t.deadline - now > 0 || t.sequence >= mark) {
            return null;
        }
        return heap.poll();
    }

    /** Counts a cancellation; drops cancelled timers in bulk once they are most of the heap. */
    void cancelled() {
        if (++cancelled > 64 && cancelled > heap.size() / 2) {
            heap.removeIf(TimerHandle::isCancelled);
            cancelled = 0;
        }
    }

    /** Timers in the heap, cancelled ones not yet dropped included. */
    int size() {
        return heap.size();
    }
}
