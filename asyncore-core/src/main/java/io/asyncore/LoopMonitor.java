package io.asyncore;

import io.asyncore.internal.LoopEvents;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * A map's counters and slow-handler detection. Confined to the loop thread: plain fields, no
 * atomics. The time is read once per handler, task or timer that runs, and only while detection
 * is on: each reading ends one item and starts the next, so an idle pass reads no clock at all.
 */
final class LoopMonitor {
    /**
     * The default slow-handler threshold: 100 ms, as asyncio's debug mode, unless the system
     * property {@code io.asyncore.slowHandlerMillis} says otherwise (0 turns detection off).
     */
    static final Duration DEFAULT_THRESHOLD = Duration.ofMillis(defaultMillis());

    private static long defaultMillis() {
        String value = System.getProperty("io.asyncore.slowHandlerMillis");
        if (value == null) {
            return 100;
        }
        try {
            long millis = Long.parseLong(value.trim());
            if (millis >= 0) {
                return millis;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        SocketMap.LOGGER.log(Level.WARNING, "io.asyncore.slowHandlerMillis=" + value
                + " is not a whole number of milliseconds (0 or more); using 100");
        return 100;
    }

    private final SocketMap map;
    /** 0: detection off. */
    private long thresholdNanos = DEFAULT_THRESHOLD.toNanos();
    /** Volatile: leak reports read it on the cleaner's thread. */
    private volatile LoopHealthListener listener;
    /** When the item now running started: the end of the previous one. */
    private long mark;

    long passes;
    long events;
    long tasks;
    long timers;
    private long longest;
    /** Leaks found, counted on the cleaner's thread. */
    private final java.util.concurrent.atomic.AtomicLong leaks = new java.util.concurrent.atomic.AtomicLong();

    LoopMonitor(SocketMap map) {
        this.map = map;
    }

    void setThreshold(Duration threshold) {
        thresholdNanos = threshold.toNanos();
    }

    Duration threshold() {
        return Duration.ofNanos(thresholdNanos);
    }

    void setListener(LoopHealthListener listener) {
        this.listener = listener;
    }

    LoopHealthListener listener() {
        return listener;
    }

    /** Items are about to run: the first one starts now. */
    void begin() {
        if (thresholdNanos > 0) {
            mark = System.nanoTime();
        }
    }

    /** An event handler of {@code d} returned (or threw). */
    void handled(Dispatcher d, boolean readPhase, int ready) {
        events++;
        if (thresholdNanos > 0) {
            long took = lap();
            if (took >= thresholdNanos) {
                slow(d, eventName(d, readPhase, ready), took);
            }
        }
    }

    /** A task ({@code timer} false) or timer returned (or threw). */
    void ran(Runnable r, boolean timer) {
        if (timer) {
            timers++;
        } else {
            tasks++;
        }
        if (thresholdNanos > 0) {
            long took = lap();
            if (took >= thresholdNanos) {
                slow(r, timer ? "timer" : "task", took);
            }
        }
    }

    private long lap() {
        long now = System.nanoTime();
        long took = now - mark;
        mark = now;
        if (took > longest) {
            longest = took;
        }
        return took;
    }

    private static String eventName(Dispatcher d, boolean readPhase, int ready) {
        if (!readPhase) {
            return "write";
        }
        if (d.listening()) {
            return "accept";
        }
        return (ready & (java.nio.channels.SelectionKey.OP_READ | java.nio.channels.SelectionKey.OP_ACCEPT)) != 0
                ? "read" : "connect";
    }

    private void slow(Object who, String event, long nanos) {
        String handler = SocketMap.describe(who);
        Duration took = Duration.ofNanos(nanos);
        SocketMap.LOGGER.log(Level.WARNING, "slow handler: the " + (who instanceof Dispatcher ? event + " handler of " : event + " ") + handler + " held the loop for "
                + millis(nanos) + " ms (threshold " + millis(thresholdNanos) + " ms); every other connection of the map waited. "
                + "Move blocking or long work off the loop thread");
        LoopEvents.slowHandler(handler, event, nanos);
        tell(l -> l.slowHandler(map, handler, event, took));
        mark = System.nanoTime(); // the time spent reporting is not the next item's
    }

    /** Leak detection found {@code report} (on the cleaner's thread): count it, tell the listener. */
    void leaked(LeakReport report) {
        leaks.incrementAndGet();
        tell(l -> l.leaked(map, report));
    }

    /** Hands a report to the listener, if any; one that throws is logged and ignored. */
    private void tell(java.util.function.Consumer<LoopHealthListener> report) {
        LoopHealthListener l = listener;
        if (l != null) {
            try {
                report.accept(l);
            } catch (RuntimeException e) {
                SocketMap.LOGGER.log(Level.WARNING, "the LoopHealthListener " + l + " threw; ignored", e);
            }
        }
    }

    private static String millis(long nanos) {
        return String.valueOf(Math.round(nanos / 100_000.0) / 10.0);
    }

    LoopStats snapshot(int dispatchers) {
        return new LoopStats(passes, events, tasks, timers, dispatchers, Duration.ofNanos(longest), leaks.get());
    }
}
