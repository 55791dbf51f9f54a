package io.asyncore;

import java.time.Duration;

/**
 * Receives a map's health reports, besides the WARNING lines they are logged as: set one with
 * {@link SocketMap#setHealthListener}. Both methods do nothing by default; override the ones you
 * need (to count them in a metrics library, say).
 *
 * <p>Threading: {@link #slowHandler} is called on the loop thread, right after the slow work;
 * {@link #leaked} on the JDK's cleaner thread. A listener that throws is logged and ignored.
 */
public interface LoopHealthListener {
    /**
     * A handler, task or timer held the loop for {@code heldFor}, at least the map's
     * {@linkplain SocketMap#slowHandlerThreshold() threshold}. Called once per occurrence.
     *
     * @param map the map whose loop was held
     * @param handler the dispatcher (its {@code toString()}), or the task or timer
     * @param event {@code "read"}, {@code "write"}, {@code "connect"}, {@code "accept"}, {@code "task"} or {@code "timer"}
     * @param heldFor how long it ran
     */
    default void slowHandler(SocketMap map, String handler, String event, Duration heldFor) {
    }

    /**
     * A dispatcher became unreachable while its channel was still open; the channel has been closed.
     *
     * @param dispatcher the dispatcher's class and identity, as it was when it joined its map
     * @param joinedAt where it joined its map (for most dispatchers, where they were made)
     */
    default void leaked(String dispatcher, Throwable joinedAt) {
    }
}
