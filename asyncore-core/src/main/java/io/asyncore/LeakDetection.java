package io.asyncore;

import java.lang.System.Logger.Level;
import java.nio.channels.SelectableChannel;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which dispatchers leak detection watches, and the channels their dispatchers let go of with
 * {@code delChannel()} while open. The mode comes from the system property
 * {@code io.asyncore.leakDetection}: {@code off}, {@code sample} (the default: one dispatcher in
 * {@value #SAMPLE_INTERVAL} is watched) or {@code full} (every one, for tests).
 *
 * <p>What keeps a dispatcher reachable, and so which drops can be seen: a map holds its
 * dispatchers in a set, and a registered channel holds its selection key, whose attachment is the
 * {@link Registration}, which holds the dispatcher. So a dispatcher in a map is never garbage (it
 * is served, as in Python), nor is one whose cancelled key the selector has not forgotten yet (the
 * next select does). A dispatcher that left its map with {@code delChannel()} and was dropped with
 * its channel open is seen; so is a wrapper watched through {@link Dispatcher#watchLeaksOf} that
 * its users dropped. A whole map dropped without {@code close()} is not: each of its channels
 * still reaches its dispatcher through the selector's key, and a watch holds the channel.
 *
 * <p>Cost: an unwatched dispatcher costs one increment of a plain counter (races between loops
 * only blur the sampling) and one emptiness check of {@link #released} when it gets a channel; a
 * watched one a creation stack trace and a {@link java.lang.ref.Cleaner} registration. The loop's
 * passes do nothing for it.
 */
final class LeakDetection {
    /** One dispatcher in this many is watched in {@link Mode#SAMPLE} mode. */
    static final int SAMPLE_INTERVAL = 128;

    /** How much is watched. */
    enum Mode { OFF, SAMPLE, FULL }

    private static volatile Mode mode = modeFromProperty();
    /** Dispatchers given a channel; plain and racy on purpose: it only picks the sample. */
    private static int given;
    /** Channels a watched, open dispatcher released with {@code delChannel()}: the next dispatcher to serve one takes it over. */
    private static final ConcurrentHashMap<SelectableChannel, LeakWatch> released = new ConcurrentHashMap<>();

    private LeakDetection() {
    }

    private static Mode modeFromProperty() {
        String value = System.getProperty("io.asyncore.leakDetection");
        if (value == null) {
            return Mode.SAMPLE;
        }
        try {
            return Mode.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            SocketMap.LOGGER.log(Level.WARNING, "io.asyncore.leakDetection=" + value
                    + " is not one of off, sample, full; using sample");
            return Mode.SAMPLE;
        }
    }

    static Mode mode() {
        return mode;
    }

    /** Sets the mode for dispatchers that get a channel from now on; returns the previous one. For tests. */
    static Mode setMode(Mode m) {
        Mode old = mode;
        mode = m;
        return old;
    }

    /**
     * Starts watching {@code watched}, whose dispatcher {@code d} now serves {@code channel}, if
     * the mode and the sample say so.
     *
     * @return the watch, or {@code null} if this one is not watched
     */
    static LeakWatch watch(Object watched, Dispatcher d, SelectableChannel channel, SocketMap map) {
        Mode m = mode;
        if (m == Mode.OFF || m == Mode.SAMPLE && ++given % SAMPLE_INTERVAL != 0) {
            return null;
        }
        return LeakWatch.start(watched, d, channel, map);
    }

    /** {@code channel} was let go of by the watched, open dispatcher of {@code w}. */
    static void released(SelectableChannel channel, LeakWatch w) {
        released.put(channel, w);
    }

    /** A dispatcher serves {@code channel} now: one that released it earlier no longer owns it. */
    static void adopted(SelectableChannel channel) {
        if (!released.isEmpty()) {
            LeakWatch previous = released.remove(channel);
            if (previous != null) {
                previous.disarm();
            }
        }
    }

    /** {@code w} ended: it no longer speaks for {@code channel}. */
    static void forget(SelectableChannel channel, LeakWatch w) {
        released.remove(channel, w);
    }
}
