package io.asyncore;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A task scheduled with {@link SocketMap#callLater(java.time.Duration, Runnable)}; cancel it with {@link #cancel()}.
 *
 * <p>Thread safety: {@link #cancel()} and the queries may be called from any thread. A task cancelled
 * before the loop reaches it never runs.
 */
public final class TimerHandle {
    final long deadline;
    final long sequence;
    final Runnable task;
    private final SocketMap map;
    private static final int PENDING = 0;
    private static final int RAN = 1;
    private static final int CANCELLED = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(TimerHandle.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;

    TimerHandle(SocketMap map, long deadline, long sequence, Runnable task) {
        this.map = map;
        this.deadline = deadline;
        this.sequence = sequence;
        this.task = task;
    }

    /**
     * Cancels the task if it has not run yet.
     *
     * @return true if this call stopped the task from running; false if it had run or was cancelled already
     */
    public boolean cancel() {
        if (!STATE.compareAndSet(this, PENDING, CANCELLED)) {
            return false;
        }
        map.timerCancelled();
        return true;
    }

    /** True once {@link #cancel()} has stopped the task. */
    public boolean isCancelled() {
        return state == CANCELLED;
    }

    /** True once the task has run or been cancelled. */
    public boolean isDone() {
        return state != PENDING;
    }

    /** Claims the task for running; false if it was cancelled first. Loop thread only. */
    boolean claim() {
        return STATE.compareAndSet(this, PENDING, RAN);
    }

    static int compare(TimerHandle a, TimerHandle b) {
        int byDeadline = Long.compare(a.deadline - b.deadline, 0);
        return byDeadline != 0 ? byDeadline : Long.compare(a.sequence, b.sequence);
    }

    @Override
    public String toString() {
        String s = state == PENDING ? "pending" : state == RAN ? "ran" : "cancelled";
        return "TimerHandle[" + s + " " + task + "]";
    }
}
