package io.asyncore;

import java.time.Duration;

/**
 * Receives a map's health reports, besides the WARNING lines they are logged as: set one with
 * {@link SocketMap#setHealthListener}. Its methods do nothing by default; override the ones you
 * need (to count them in a metrics library, say). More kinds of report may be added as default
 * methods.
 *
 * <p>Threading: {@link #slowHandler} is called on the loop thread, right after the slow work;
 * {@link #leaked} on the JVM's leak-detection thread (a {@link java.lang.ref.Cleaner}'s), whenever
 * the garbage collector finds the leak. A listener that throws is logged and ignored.
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
     * A dispatcher of this map (or an object owning one) became unreachable without
     * {@code close()} while its channel was open; the channel has been closed. Leak detection
     * watches one dispatcher in 128 by default, every one with the system property
     * {@code io.asyncore.leakDetection=full}; see the README's "Leak detection".
     *
     * @param map the map the dispatcher belonged to
     * @param report what was dropped, its channel and where it was created
     */
    default void leaked(SocketMap map, LeakReport report) {
    }
}
