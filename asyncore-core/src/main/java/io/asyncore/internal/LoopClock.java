package io.asyncore.internal;

/**
 * Where a loop reads the time for its timers and deadlines: the one place, so a test can run a
 * map on a clock it advances itself. {@link #SYSTEM} is {@link System#nanoTime()}; the loop reads
 * it only when it has timers, so a map without timers never asks. Internal.
 */
@FunctionalInterface
public interface LoopClock {
    /** The system's monotonic clock. */
    LoopClock SYSTEM = System::nanoTime;

    /** The current time in nanoseconds, on a scale only differences make sense of, as {@link System#nanoTime()}. */
    long nanoTime();
}
