package io.asyncore.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;
import jdk.jfr.Timespan;

/**
 * The loop's JDK Flight Recorder events, under {@code io.asyncore}. Each is recorded only while a
 * recording enables it; otherwise the loop checks one flag and allocates nothing. Internal.
 */
public final class LoopEvents {
    private LoopEvents() {
    }

    /** A pass whose work (after the wait) took longer than the event's threshold. */
    @Name("io.asyncore.LoopPass")
    @Label("Loop Pass")
    @Category({"asyncore", "Loop"})
    @Description("A pass of a SocketMap's loop that took long: its work after the selector wait (handlers, tasks, timers)")
    @Threshold("20 ms")
    @StackTrace(false)
    public static final class Pass extends Event {
        /** The map, as its toString. */
        @Label("Map")
        public String map;
        /** Keys the selector reported ready in this pass. */
        @Label("Keys Selected")
        public int keysSelected;
        /** Events handed to dispatchers. */
        @Label("Events Fired")
        public long eventsFired;
        /** Tasks from execute() run. */
        @Label("Tasks Run")
        public long tasksRun;
        /** Timers from callLater() run. */
        @Label("Timers Run")
        public long timersRun;
        /** Dispatchers in the map. */
        @Label("Dispatchers")
        public int dispatchers;
    }

    /** A handler, task or timer that held the loop longer than the map's slow-handler threshold. */
    @Name("io.asyncore.SlowHandler")
    @Label("Slow Handler")
    @Category({"asyncore", "Loop"})
    @Description("A handler, task or timer that held a SocketMap's loop longer than its slow-handler threshold")
    @StackTrace(false)
    public static final class SlowHandler extends Event {
        /** The dispatcher (its toString), or the task or timer. */
        @Label("Handler")
        public String handler;
        /** read, write, connect, accept, task or timer. */
        @Label("Event")
        public String event;
        /** How long it held the loop. */
        @Label("Held For")
        @Timespan(Timespan.NANOSECONDS)
        public long heldFor;
    }

    /** A dispatcher closed while output was still queued, which was dropped. */
    @Name("io.asyncore.OutputDiscarded")
    @Label("Output Discarded")
    @Category({"asyncore", "Dispatcher"})
    @Description("A dispatcher was closed with output still queued; the queued bytes were dropped")
    public static final class OutputDiscarded extends Event {
        /** The dispatcher, as its toString. */
        @Label("Dispatcher")
        public String dispatcher;
        /** Bytes queued and never sent. */
        @Label("Bytes Dropped")
        @DataAmount(DataAmount.BYTES)
        public long bytes;
    }

    /** A dispatcher, or an object owning one, became unreachable with its channel open; the channel was closed. */
    @Name("io.asyncore.Leak")
    @Label("Leak")
    @Category({"asyncore", "Dispatcher"})
    @Description("A dispatcher (or an object owning one) became unreachable without close() while its channel was open;"
            + " leak detection closed the channel")
    @StackTrace(false)
    public static final class Leak extends Event {
        /** The class of the object dropped. */
        @Label("Leaked")
        public String leaked;
        /** The channel it left open, as its toString. */
        @Label("Channel")
        public String channel;
        /** Where it was created: the first frames, one per line. */
        @Label("Created At")
        public String createdAt;
    }

    private static final EventType PASS = EventType.getEventType(Pass.class);
    private static final EventType SLOW = EventType.getEventType(SlowHandler.class);
    private static final EventType DISCARDED = EventType.getEventType(OutputDiscarded.class);
    private static final EventType LEAK = EventType.getEventType(Leak.class);
    /** Frames of the creation trace kept in a {@link Leak} event. */
    private static final int LEAK_FRAMES = 8;

    /** True while a recording records {@link Pass}: one flag read. */
    public static boolean passEnabled() {
        return PASS.isEnabled();
    }

    /** Records a slow handler if a recording wants it. */
    public static void slowHandler(String handler, String event, long nanos) {
        if (SLOW.isEnabled()) {
            SlowHandler e = new SlowHandler();
            e.handler = handler;
            e.event = event;
            e.heldFor = nanos;
            e.commit();
        }
    }

    /** Records that {@code dispatcher} was closed with {@code bytes} of output queued, if any and if a recording wants it. */
    public static void outputDiscarded(Object dispatcher, long bytes) {
        if (bytes > 0 && DISCARDED.isEnabled()) {
            OutputDiscarded e = new OutputDiscarded();
            e.dispatcher = String.valueOf(dispatcher);
            e.bytes = bytes;
            e.commit();
        }
    }

    /** Records a leak if a recording wants it. */
    public static void leak(String leaked, String channel, StackTraceElement[] createdAt) {
        if (LEAK.isEnabled()) {
            StringBuilder frames = new StringBuilder();
            for (int i = 0; i < Math.min(LEAK_FRAMES, createdAt.length); i++) {
                frames.append(createdAt[i]).append('\n');
            }
            Leak e = new Leak();
            e.leaked = leaked;
            e.channel = channel;
            e.createdAt = frames.toString();
            e.commit();
        }
    }
}
