package io.asyncore.samples;

import io.asyncore.Asyncore;
import io.asyncore.SocketMap;
import java.time.Duration;

/**
 * A map run on a thread of its own until {@link #close()}: how the demo and the tests host servers
 * while clients run on the calling thread.
 *
 * <p>Threading: create the map's dispatchers before {@link #start}; afterwards reach them only
 * through {@link SocketMap#execute}. {@link #close()} from any thread other than the loop's.
 */
public final class BackgroundLoop implements AutoCloseable {
    private final SocketMap map;
    private final Thread thread;

    private BackgroundLoop(SocketMap map, String name) {
        this.map = map;
        this.thread = new Thread(() -> Asyncore.loop(Duration.ofSeconds(30), false, map), name);
        thread.setDaemon(true);
    }

    /** Runs {@code map} on a new daemon thread named {@code name}. */
    public static BackgroundLoop start(SocketMap map, String name) {
        BackgroundLoop loop = new BackgroundLoop(map, name);
        loop.thread.start();
        return loop;
    }

    /** The map being run. */
    public SocketMap map() {
        return map;
    }

    /**
     * Closes every dispatcher on the loop thread, waits up to 5 s for the loop to end, then closes
     * the map. An interrupt while waiting stops the wait and stays set on the calling thread.
     */
    @Override
    public void close() {
        map.execute(() -> Asyncore.closeAll(map, true));
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) {
            map.close();
        }
    }
}
