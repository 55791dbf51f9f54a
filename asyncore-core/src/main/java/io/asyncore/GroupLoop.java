package io.asyncore;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One loop of a {@link LoopGroup}: its map, the thread that drives it, and the three phases of a
 * stop, run on that thread: close the listeners and tell {@link Drainable}s, run until the map is
 * empty or the deadline passes, close the rest.
 */
final class GroupLoop implements Runnable {
    /** How long the last phase waits per pass for a hand-off that was announced but not yet posted. */
    private static final Duration HANDOFF_SLICE = Duration.ofMillis(1);

    final LoopGroup group;
    final SocketMap map;
    final Thread thread;
    /** Hand-offs to this loop announced by serve() and not yet run: the loop may not end before they are. */
    final AtomicInteger handoffs = new AtomicInteger();
    /** Connections handed to this loop so far. */
    final AtomicLong served = new AtomicLong();
    /** Set by the last phase: hand-offs that arrive now close their channel instead of serving it. */
    private volatile boolean closing;

    GroupLoop(LoopGroup group, SocketMap map, String name) {
        this.group = group;
        this.map = map;
        this.thread = new Thread(this, name);
    }

    @Override
    public void run() {
        map.enter(); // held for the thread's life, so map.inLoop() is true between passes too
        try {
            try {
                try {
                    while (group.isRunning()) {
                        map.runPass(null, false);
                    }
                } catch (ExitNow e) {
                    group.shutdown(LoopGroup.DEFAULT_GRACE); // Python's way out of a loop: here, out of the group
                }
                beginStop();
                runUntilEmpty();
            } catch (ExitNow e) {
                // a second one while stopping: straight to closing
            } catch (Throwable t) {
                group.failed(this, t);
            }
            closeTheRest();
        } finally {
            map.exit();
            group.loopEnded();
        }
    }

    /** The connection's hand-off, on this loop's thread. */
    void accept(SocketChannel channel, HandlerFactory factory) {
        try {
            if (closing) {
                closeQuietly(channel);
                return;
            }
            factory.create(channel, map);
            served.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            SocketMap.LOGGER.log(Level.WARNING, "the handler factory for a connection on " + thread.getName()
                    + " threw; the connection is closed and the loop goes on", e);
        } finally {
            handoffs.decrementAndGet();
        }
    }

    /** Phase 1: listeners close, drainable dispatchers hear that the group stops. */
    private void beginStop() {
        for (Dispatcher d : map.dispatchers()) {
            try {
                if (d.isAccepting()) {
                    d.close();
                } else if (d instanceof Drainable drainable) {
                    drainable.drain();
                }
            } catch (ExitNow | Error e) {
                throw e;
            } catch (RuntimeException e) {
                d.handleError(e);
            }
        }
    }

    /** Phase 2: connections finish on their own until the deadline. */
    private void runUntilEmpty() {
        while (!map.isEmpty() || handoffs.get() > 0) {
            long left = group.deadlineNanos() - System.nanoTime();
            if (left <= 0) {
                return;
            }
            map.runPass(Duration.ofNanos(left), false);
        }
    }

    /** Phase 3: whatever is left closes, hand-offs still on their way close their channel, the map closes. */
    private void closeTheRest() {
        closing = true;
        try {
            Asyncore.closeAll(map, true);
            while (handoffs.get() > 0) {
                map.runPass(HANDOFF_SLICE, false);
            }
        } catch (Throwable t) {
            group.failed(this, t);
        } finally {
            map.close();
        }
    }

    static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            SocketMap.LOGGER.log(Level.WARNING, "closing a refused connection failed", e);
        }
    }
}
