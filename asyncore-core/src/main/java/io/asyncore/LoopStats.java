package io.asyncore;

import java.time.Duration;

/**
 * A snapshot of a map's loop counters, for metrics: see {@link SocketMap#stats()}. The counts
 * run from the map's creation.
 *
 * @param passes loop passes run
 * @param events I/O events handed to dispatchers (read, write, connect and accept events)
 * @param tasks tasks from {@link SocketMap#execute} run
 * @param timers timers from {@link SocketMap#callLater} run
 * @param dispatchers dispatchers in the map now
 * @param longestHandler the longest any one handler, task or timer held the loop; measured only
 *     while slow-handler detection is on ({@link Duration#ZERO} otherwise)
 * @param leaks dispatchers of this map found dropped with their channel open (and closed by leak
 *     detection), among those it watches (see {@link LoopHealthListener#leaked})
 */
public record LoopStats(long passes, long events, long tasks, long timers, int dispatchers, Duration longestHandler,
        long leaks) {
    /** A snapshot without a leak count (0): the constructor before {@code leaks} was added. */
    public LoopStats(long passes, long events, long tasks, long timers, int dispatchers, Duration longestHandler) {
        this(passes, events, tasks, timers, dispatchers, longestHandler, 0);
    }
}
