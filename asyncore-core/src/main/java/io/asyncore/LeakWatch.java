package io.asyncore;

import io.asyncore.internal.LoopEvents;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.nio.channels.SelectableChannel;
import java.util.Arrays;
import java.util.List;

/**
 * The watch over one dispatcher (or the object that owns it) and its channel: the action a
 * {@link Cleaner} runs once the watched object is unreachable. It must not reach the watched
 * object, or the object would never become unreachable: it holds the channel, the creation trace
 * and the map, the map weakly (a map's dispatchers lead back to it). {@link #disarm()} ends the
 * watch when the dispatcher closes or gives its channel away.
 */
final class LeakWatch implements Runnable {
    /** The name of the one daemon thread that runs every watch's action. */
    static final String THREAD_NAME = "asyncore-leak-detection";
    /** One daemon thread for every watch of the JVM, started by the first watch. */
    private static final class Holder {
        static final Cleaner CLEANER = Cleaner.create(task -> {
            Thread t = new Thread(task, THREAD_NAME);
            t.setDaemon(true);
            return t;
        });
    }

    private final SelectableChannel channel;
    private final String leaked;
    private final Throwable createdAt;
    private final WeakReference<SocketMap> map;
    /** The dispatcher to close on its loop when the watched object is its owner; {@code null} when it is the dispatcher itself. */
    private final Dispatcher served;
    private volatile boolean done;
    private Cleaner.Cleanable cleanable;

    private LeakWatch(SelectableChannel channel, String leaked, SocketMap map, Dispatcher served) {
        this.channel = channel;
        this.leaked = leaked;
        this.createdAt = new Throwable("the leaked " + leaked + " was created here");
        createdAt.setStackTrace(fromCaller(createdAt.getStackTrace()));
        this.map = new WeakReference<>(map);
        this.served = served;
    }

    /** Drops the frames of leak detection itself: the trace starts at the dispatcher's code. */
    private static StackTraceElement[] fromCaller(StackTraceElement[] frames) {
        int i = 0;
        while (i < frames.length - 1 && frames[i].getClassName().startsWith("io.asyncore.Leak")) {
            i++;
        }
        return Arrays.copyOfRange(frames, i, frames.length);
    }

    static LeakWatch start(Object watched, Dispatcher d, SelectableChannel channel, SocketMap map) {
        LeakWatch w = new LeakWatch(channel, watched.getClass().getName(), map, watched == d ? null : d);
        w.cleanable = Holder.CLEANER.register(watched, w);
        return w;
    }

    /** The dispatcher closed or handed its channel over: no report, and the cleaner forgets the watch. */
    void disarm() {
        done = true;
        LeakDetection.forget(channel, this);
        cleanable.clean();
    }

    /** The watched object is unreachable (on the cleaner's thread), or {@link #disarm()} ran. */
    @Override
    public void run() {
        if (done) {
            return;
        }
        done = true;
        LeakDetection.forget(channel, this);
        if (!channel.isOpen()) {
            return; // closed by other means: nothing held
        }
        SocketMap m = map.get();
        String described = String.valueOf(channel);
        if (served != null && m != null) {
            m.execute(served::close); // in its map: closed on the loop thread, which owns it
        } else {
            try {
                channel.close();
            } catch (IOException e) {
                SocketMap.LOGGER.log(Level.WARNING, "closing the leaked channel " + described + " failed", e);
            }
            if (m != null) {
                m.wakeup(); // a key it cancelled but its selector has not yet let go of holds the descriptor until the next pass
            }
        }
        SocketMap.LOGGER.log(Level.WARNING, "leak: a " + leaked + " became unreachable without close() while its channel "
                + described + " was open; the channel is closed now. Close every dispatcher (close() or handleClose())"
                + " when done with it; the stack trace shows where this one was created", createdAt);
        LeakReport report = new LeakReport(leaked, described, List.of(createdAt.getStackTrace()));
        LoopEvents.leak(leaked, described, createdAt.getStackTrace());
        if (m != null) {
            m.leaked(report);
        }
    }
}
