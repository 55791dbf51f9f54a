package io.asyncore;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Picks the loop of a {@link LoopGroup} that serves the next connection. Called from any thread
 * (a listener's loop, a client's thread), so an implementation must be thread-safe; it should be
 * cheap, since it runs once per connection.
 */
@FunctionalInterface
public interface LoopChooser {
    /**
     * The map of the loop for the next connection.
     *
     * @param loops the group's maps, in loop order; never empty, never changing
     * @return one of {@code loops}
     */
    SocketMap next(List<SocketMap> loops);

    /** Each loop in turn: the default. Fair in connections, blind to how busy each connection is. */
    static LoopChooser roundRobin() {
        AtomicInteger counter = new AtomicInteger();
        return loops -> loops.get(Math.floorMod(counter.getAndIncrement(), loops.size()));
    }
}
