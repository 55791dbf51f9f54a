package io.asyncore;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A clock for tests that moves only when told to: give it to {@link SocketMap#SocketMap(VirtualClock)}
 * and that map's timers and deadlines ({@link SocketMap#callLater}, and so the coroutine module's
 * {@code delay} and {@code withTimeout}) follow it instead of the wall clock. A timeout of 30
 * seconds is then tested in milliseconds:
 *
 * <pre>{@code
 * VirtualClock clock = new VirtualClock();
 * try (SocketMap map = new SocketMap(clock)) {
 *     map.callLater(Duration.ofSeconds(30), () -> System.out.println("timed out"));
 *     clock.advance(Duration.ofSeconds(30));
 *     map.runPass(Duration.ZERO, false); // prints "timed out" now
 * }
 * }</pre>
 *
 * <h2>What is virtual</h2>
 * Only time. Sockets stay real: their events arrive as they happen, and the loop still waits for
 * them. A map on this clock never waits for a timer (no wall-clock time would make one due); it
 * waits for I/O, a task, its caller's timeout, or an {@link #advance}, which wakes every map on
 * this clock.
 *
 * <h2>How time moves</h2>
 * {@link #advance} sets the time at once. Each map then catches up in steps, one pass per
 * distinct deadline, in deadline order: while a timer runs, and while the tasks it posted run (a
 * coroutine resumed by {@code delay}, say), the map's {@link SocketMap#nanoTime()} reads that
 * timer's deadline, so work that schedules more timers on the way (a {@code delay} in a loop) lands
 * where it would on a real clock. Once no timer is due, the map reads the clock's time. Work that
 * needs no timer (I/O, tasks posted from other threads) is not held back. Advancing never runs
 * anything itself: the map's loop runs the timers, on its own thread, in its next passes.
 *
 * <h2>Threading</h2>
 * Safe from any thread: a test may advance the clock of a loop that another thread drives.
 * Time starts at 0 and never goes back.
 */
public final class VirtualClock {
    private volatile long now;
    private final CopyOnWriteArrayList<WeakReference<SocketMap>> maps = new CopyOnWriteArrayList<>();

    /** A clock at time 0. */
    public VirtualClock() {
    }

    /** The current time in nanoseconds since the clock was made. */
    public long nanoTime() {
        return now;
    }

    /** The time since the clock was made: the sum of every advance. */
    public Duration elapsed() {
        return Duration.ofNanos(now);
    }

    /**
     * Moves time forward by {@code by} and wakes every map on this clock, whose loops then run the
     * timers that came due, in deadline order.
     *
     * @throws IllegalArgumentException if {@code by} is negative (time never goes back)
     */
    public void advance(Duration by) {
        Objects.requireNonNull(by, "by");
        if (by.isNegative()) {
            throw new IllegalArgumentException("cannot advance by " + by + ": time never goes back");
        }
        move(saturatedNanos(by), true);
    }

    /**
     * Moves time forward to {@code sinceStart} after the clock was made; as {@link #advance}.
     *
     * @throws IllegalArgumentException if that is before the clock's current time
     */
    public void advanceTo(Duration sinceStart) {
        Objects.requireNonNull(sinceStart, "sinceStart");
        move(saturatedNanos(sinceStart), false);
    }

    private void move(long nanos, boolean relative) {
        synchronized (this) {
            long target = relative ? saturatedAdd(now, nanos) : nanos;
            if (target < now) {
                throw new IllegalArgumentException("cannot advance to " + Duration.ofNanos(target)
                        + ": the clock already reads " + elapsed() + ", and time never goes back");
            }
            now = target;
        }
        for (WeakReference<SocketMap> ref : maps) {
            SocketMap map = ref.get();
            if (map == null || !map.clockAdvanced()) {
                maps.remove(ref); // collected or closed
            }
        }
    }

    /** Tells {@code map} about every advance from now on. */
    void attach(SocketMap map) {
        maps.add(new WeakReference<>(map));
    }

    @Override
    public String toString() {
        return "VirtualClock[" + elapsed() + "]";
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 2;
        }
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE / 2 : sum;
    }
}
