package io.asyncore.testing;

import io.asyncore.Asyncore;
import io.asyncore.SocketMap;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Drives a map on the calling thread, one pass at a time, until a condition holds or a deadline passes. */
public final class RunLoop {
    /** How long {@link #until(SocketMap, BooleanSupplier)} waits before it fails the test. */
    public static final Duration DEFAULT_LIMIT = Duration.ofSeconds(10);

    /** The longest a pass waits for events: the condition is checked again at least this often. */
    private static final Duration PASS = Duration.ofMillis(10);

    private RunLoop() {
    }

    /**
     * Runs passes of {@code map} (Python's select order) until {@code done} holds.
     *
     * @throws AssertionError if it does not hold within {@link #DEFAULT_LIMIT}
     */
    public static void until(SocketMap map, BooleanSupplier done) {
        until(map, false, done, DEFAULT_LIMIT);
    }

    /**
     * Runs passes of {@code map} in the given dispatch order until {@code done} holds.
     *
     * @throws AssertionError if it does not hold within {@link #DEFAULT_LIMIT}
     */
    public static void until(SocketMap map, boolean usePoll, BooleanSupplier done) {
        until(map, usePoll, done, DEFAULT_LIMIT);
    }

    /**
     * Runs passes of {@code map} in the given dispatch order until {@code done} holds. The calling
     * thread becomes the map's loop thread while this runs.
     *
     * @throws AssertionError if it does not hold within {@code limit}
     */
    public static void until(SocketMap map, boolean usePoll, BooleanSupplier done, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("condition not met within " + limit);
            }
            Asyncore.loop(PASS, usePoll, map, 1);
        }
    }
}
