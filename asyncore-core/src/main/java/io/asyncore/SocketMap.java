package io.asyncore;

import io.asyncore.internal.ChannelTransport;
import io.asyncore.internal.LoopClock;
import io.asyncore.internal.LoopEvents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The set of dispatchers one loop serves: Python's {@code map} dictionary, plus its selector,
 * its timers and its cross-thread task queue. The loop pass lives here, in {@link #pass}; the
 * timers ({@code Timers}), the task queue ({@code TaskQueue}) and each dispatcher's loop state
 * ({@code Registration}) are kept beside it.
 *
 * <h2>Threading</h2>
 * A map is driven by one thread at a time: the thread inside {@link Asyncore#loop()} or a pass.
 * Dispatchers, their sockets and the map's contents are confined to that thread while a loop
 * runs; before and after, any single thread may set things up. Calls that touch the contents from
 * another thread while a loop runs fail with {@link IllegalStateException}. From other threads use
 * {@link #execute(Runnable)} (and {@link #callLater}, which is safe from any thread).
 *
 * <h2>Interruption</h2>
 * Interrupting the thread that runs the loop leaves the loop at the end of the current pass with
 * {@link ExitNow}, the interrupt status still set (Python's {@code KeyboardInterrupt} leaves its
 * loop the same way). The dispatchers stay as they were.
 *
 * <h2>Lifetime</h2>
 * The map owns a {@link Selector}. {@link #close()} closes every dispatcher and the selector; a map
 * made for a test or a short-lived loop should be closed. The global map
 * ({@link Asyncore#socketMap()}) lives as long as the JVM.
 */
public final class SocketMap implements AutoCloseable {
    static final System.Logger LOGGER = System.getLogger("io.asyncore");

    /** Size of the loop's shared read buffer; {@code recv(n)} with a larger n allocates its own. */
    static final int SHARED_READ_BUFFER = 65536;
    private final Selector selector;
    /** Where timers and deadlines read the time. */
    private final LoopClock clock;
    /** The clock again when it is a {@link VirtualClock}'s, which the loop steps; else {@code null}. */
    private final VirtualTime virtualTime;
    private final Set<Dispatcher> dispatchers = new LinkedHashSet<>();
    /** Dispatchers whose readable()/writable() are asked on every pass (they override them). */
    private final ArrayList<Registration> polled = new ArrayList<>();
    /** Dispatchers that announced an interest change since the last pass. */
    private final ArrayList<Registration> dirty = new ArrayList<>();
    /** Dispatchers whose transport holds input they have not read: read events without the selector. */
    private ArrayList<Registration> buffered = new ArrayList<>();
    private ArrayList<Registration> bufferedSpare = new ArrayList<>();

    private final Timers timers = new Timers();
    private final TaskQueue tasks = new TaskQueue();
    /** Counters and slow-handler detection. */
    private final LoopMonitor monitor = new LoopMonitor(this);

    private volatile Thread owner;
    private int ownerDepth;
    private boolean inPass;
    /** A key was cancelled since the last select, so its channel's descriptor is not released yet. */
    private boolean cancelledSinceSelect;
    private boolean closed;

    // The keys selected in the current pass and their ready sets, reused from pass to pass.
    private SelectionKey[] readyKeys = new SelectionKey[64];
    private int[] readyOps = new int[64];
    private int readyCount;
    private final Consumer<SelectionKey> collector = this::collect;

    private ByteBuffer sharedReadBuffer;
    private TlsScratch tlsScratch;

    /**
     * A new, empty map with a selector of its own.
     *
     * @throws UncheckedIOException if the JDK cannot open a selector (for example, out of file descriptors)
     */
    public SocketMap() {
        this(LoopClock.SYSTEM);
    }

    /**
     * A new, empty map whose timers and deadlines follow {@code clock}, a test's clock that moves
     * only when the test {@linkplain VirtualClock#advance advances} it. Sockets stay real. See
     * {@link VirtualClock} for how time moves.
     *
     * @throws UncheckedIOException if the JDK cannot open a selector
     */
    public SocketMap(VirtualClock clock) {
        this(new VirtualTime(Objects.requireNonNull(clock, "clock")));
        clock.attach(this);
    }

    /** A new, empty map whose timers and deadlines read {@code clock}. */
    SocketMap(LoopClock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.virtualTime = clock instanceof VirtualTime v ? v : null;
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for a new SocketMap: " + e.getMessage(), e);
        }
    }

    /** The number of dispatchers in the map. */
    public int size() {
        return dispatchers.size();
    }

    /** True if the map holds no dispatcher; {@link Asyncore#loop()} returns when it is. Timers do not count. */
    public boolean isEmpty() {
        return dispatchers.isEmpty();
    }

    /** A snapshot of the dispatchers, in the order they were added. */
    public List<Dispatcher> dispatchers() {
        return List.copyOf(dispatchers);
    }

    /** True if the calling thread is the one running this map's loop. */
    public boolean inLoop() {
        return owner == Thread.currentThread();
    }

    /**
     * Runs {@code task} on the loop thread at the end of the current or next pass. Safe from any
     * thread; posting from several threads costs one coalesced selector wake-up.
     *
     * <p>A task that throws is logged and the loop goes on; {@link ExitNow} leaves the loop, and
     * JVM {@link Error}s propagate after an ERROR log line that names the task. Tasks posted while no loop runs wait for the next pass.
     */
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        // The loop thread needs no wake-up: a pass looks at the queue before it waits.
        if (tasks.add(task, owner == Thread.currentThread())) {
            selector.wakeup();
        }
    }

    /**
     * The time on this map's clock, in nanoseconds on a scale only differences make sense of:
     * {@link System#nanoTime()}, or for a map made with a {@link VirtualClock} that clock's time as
     * this map sees it. Code that measures timeouts against {@link #callLater} should read this
     * rather than {@code System.nanoTime()}, so it follows a test's virtual clock too. Safe from
     * any thread.
     */
    public long nanoTime() {
        return clock.nanoTime();
    }

    /**
     * Runs {@code task} on the loop thread once {@code delay} has passed (measured with
     * {@link #nanoTime()}, the map's clock: {@link System#nanoTime()} unless a {@link VirtualClock}). The loop's wait shrinks to the next due timer, so the task runs
     * on time without busy waiting. Safe from any thread.
     *
     * <p>Timers do not keep {@link Asyncore#loop()} running: it returns when the map has no dispatcher.
     *
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    public TimerHandle callLater(Duration delay, Runnable task) {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(task, "task");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay < 0: " + delay);
        }
        long nanos = saturatedNanos(delay);
        long deadline = clock.nanoTime() + nanos;
        Thread t = owner;
        if (t == null || t == Thread.currentThread()) {
            return timers.add(this, deadline, task);
        }
        // Another thread runs the loop: hand the timer over through the task queue. The sequence
        // number is assigned there, so it only orders timers with equal deadlines.
        TimerHandle handle = new TimerHandle(this, deadline, Long.MAX_VALUE, task);
        execute(() -> timers.adopt(this, deadline, handle, task));
        return handle;
    }

    /**
     * One pass that also waits when the map has no dispatcher: for I/O, the next due timer, a task
     * from {@link #execute}, or {@code timeout}. Entry point for drivers that keep a loop alive on
     * timers and tasks alone (the coroutine module's). {@link Asyncore#poll} is the faithful
     * one-pass call, which returns at once on an empty map.
     *
     * @param timeout the longest wait; {@code null} waits until something happens
     * @param usePoll the dispatch order, as for {@link Asyncore#loop(Duration, boolean, SocketMap)}
     */
    public void runPass(Duration timeout, boolean usePoll) {
        enter();
        try {
            pass(toNanos(timeout), usePoll, true);
        } finally {
            exit();
        }
    }

    /**
     * Closes every dispatcher (as {@link Asyncore#closeAll(SocketMap, boolean)} with
     * {@code ignoreAll}) and the selector. Idempotent. The map cannot be used afterwards.
     *
     * <p>It closes at once: output still queued in a {@link DispatcherWithSend} or an
     * {@code AsyncChat} is dropped. To deliver it, call their {@code closeWhenDone()} and run the
     * loop until the map is empty first.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        checkConfined("close()");
        Asyncore.closeAll(this, true);
        closed = true;
        try {
            selector.close();
        } catch (IOException e) {
            LOGGER.log(Level.WARNING, "closing the selector of a SocketMap failed", e);
        }
    }

    /**
     * Sets how long one handler, task or timer may hold the loop before it is reported: a WARNING
     * on the {@code io.asyncore} logger naming the dispatcher, the event and the time, the
     * {@linkplain #setHealthListener listener}'s {@code slowHandler}, and an
     * {@code io.asyncore.SlowHandler} JFR event. Each occurrence is reported once. The default is
     * 100 ms, or the system property {@code io.asyncore.slowHandlerMillis} (0 for off) for every
     * map of the JVM; {@link Duration#ZERO} turns detection off (and with it the clock reading per handler,
     * about 20 ns, and {@link LoopStats#longestHandler()}). Set it before the loop runs or on the
     * loop thread.
     *
     * @throws IllegalArgumentException if {@code threshold} is negative
     */
    public void setSlowHandlerThreshold(Duration threshold) {
        Objects.requireNonNull(threshold, "threshold");
        if (threshold.isNegative()) {
            throw new IllegalArgumentException("slow-handler threshold < 0: " + threshold + " (use Duration.ZERO to turn detection off)");
        }
        monitor.setThreshold(threshold);
    }

    /** The slow-handler threshold; {@link Duration#ZERO} when detection is off. */
    public Duration slowHandlerThreshold() {
        return monitor.threshold();
    }

    /**
     * Sets who else hears of this map's slow handlers, besides the log;
     * {@code null} for no one. Set it before the loop runs or on the loop thread.
     */
    public void setHealthListener(LoopHealthListener listener) {
        monitor.setListener(listener);
    }

    /** The listener set with {@link #setHealthListener}, or {@code null}. */
    public LoopHealthListener healthListener() {
        return monitor.listener();
    }

    /**
     * A snapshot of this map's counters: passes, events, tasks, timers, dispatchers and the
     * longest handler. Cheap: the loop keeps them in plain fields. Take it on the loop thread (or
     * from another thread through {@link #execute}); read elsewhere while a loop runs, the counts
     * may be stale.
     */
    public LoopStats stats() {
        return monitor.snapshot(dispatchers.size());
    }

    /** Leak detection found one of this map's dispatchers dropped (on the cleaner's thread). */
    void leaked(LeakReport report) {
        monitor.leaked(report);
    }

    @Override
    public String toString() {
        return "SocketMap[" + dispatchers.size() + " dispatchers, " + timers.size() + " timers"
                + (closed ? ", closed" : "") + "]";
    }

    // ---------------------------------------------------------------- the loop pass

    /**
     * One pass of the loop: ask for interest, wait, dispatch, then run tasks and due timers.
     *
     * @param timeoutNanos the longest wait; negative waits without limit
     * @param usePoll false: Python's select() order (every read event of the pass, then every write
     *     event); true: Python's poll() order (each channel's read then write) and "peer went away"
     *     errors raised by a handler go to handleClose() instead of handleError()
     * @param waitWhenEmpty false returns at once on an empty map, as Python does
     */
    void pass(long timeoutNanos, boolean usePoll, boolean waitWhenEmpty) {
        if (closed) {
            throw new IllegalStateException("this SocketMap is closed; make a new one");
        }
        if (inPass) {
            throw new IllegalStateException(
                    "a pass of this SocketMap was started from inside one of its own handlers; "
                            + "return from the handler instead of running the loop again");
        }
        inPass = true;
        monitor.passes++;
        try {
            if (dispatchers.isEmpty() && !waitWhenEmpty) {
                runTasksAndTimers();
                return;
            }
            updateInterest();
            select(waitNanos(timeoutNanos));
            if (LoopEvents.passEnabled()) {
                recordedWork(usePoll);
            } else {
                work(usePoll);
            }
            if (Thread.currentThread().isInterrupted()) {
                // The selector returns at once while the flag is set: without this the loop would spin.
                throw new ExitNow("the loop thread was interrupted; its interrupt status is left set");
            }
        } finally {
            inPass = false;
        }
    }

    /** What a pass does after its wait. */
    private void work(boolean usePoll) {
        dispatch(usePoll);
        if (!buffered.isEmpty()) {
            dispatchBuffered(usePoll);
        }
        runTasksAndTimers();
    }

    /** {@link #work} while a JFR recording wants {@code io.asyncore.LoopPass} events. */
    private void recordedWork(boolean usePoll) {
        LoopEvents.Pass event = new LoopEvents.Pass();
        int keys = readyCount;
        long events = monitor.events;
        long tasksRun = monitor.tasks;
        long timersRun = monitor.timers;
        event.begin();
        work(usePoll);
        event.end();
        if (event.shouldCommit()) {
            event.map = toString();
            event.keysSelected = keys;
            event.eventsFired = monitor.events - events;
            event.tasksRun = monitor.tasks - tasksRun;
            event.timersRun = monitor.timers - timersRun;
            event.dispatchers = dispatchers.size();
            event.commit();
        }
    }

    /**
     * Brings every key's interest up to date. Polled dispatchers are asked every pass, as Python
     * asks every dispatcher; announcing ones only after they said something changed. The key is
     * touched only when the interest set really changed.
     */
    private void updateInterest() {
        // Backwards, so a dispatcher removed by a readable()/writable() override is not skipped.
        for (int i = polled.size() - 1; i >= 0; i--) {
            if (i < polled.size()) {
                refresh(polled.get(i));
            }
        }
        for (int i = 0; i < dirty.size(); i++) {
            Registration r = dirty.get(i);
            r.dirty = false;
            if (r.inMap) {
                refresh(r);
            }
        }
        dirty.clear();
    }

    private void refresh(Registration r) {
        try {
            int ops = r.interest();
            SelectionKey key = r.key;
            if (key == null) {
                if (ops != 0) {
                    r.key = register(r.channel, ops, r);
                    r.ops = ops;
                }
            } else if (ops != r.ops) {
                key.interestOps(ops);
                r.ops = ops;
            }
            if ((r.applicationOps & READ_PHASE) != 0 && r.transport.getClass() != ChannelTransport.class
                    && r.transport.hasBufferedInput()) {
                markBuffered(r); // wants to read again, and its transport holds input the selector cannot see
            }
        } catch (ExitNow e) {
            throw e;
        } catch (Error e) {
            throw fatal(e, "readable()/writable() of " + describe(r.dispatcher));
        } catch (Throwable t) {
            r.dispatcher.handleError(t);
        }
    }

    /**
     * Registers a channel that may have left another dispatcher of this map moments ago (its
     * {@code delChannel()}, then {@code new SomeDispatcher(channel, map)}): the selector forgets a
     * cancelled key only in a select, and until then refuses to register the channel again.
     */
    private SelectionKey register(SelectableChannel channel, int ops, Registration r) throws IOException {
        SelectionKey stale = channel.keyFor(selector);
        if (stale != null && !stale.isValid()) {
            selectDiscarding();
        }
        return channel.register(selector, ops, r);
    }

    private long waitNanos(long timeoutNanos) {
        if (!tasks.isEmpty() || !buffered.isEmpty()) {
            return 0;
        }
        TimerHandle next = timers.next();
        if (next == null) {
            return timeoutNanos;
        }
        if (virtualTime != null) {
            // No wall-clock wait makes a virtual timer due: wait for I/O, a task or an advance (which wakes us).
            return virtualTime.timerDue(next) ? 0 : timeoutNanos;
        }
        long untilDue = Math.max(0, next.deadline - clock.nanoTime());
        return timeoutNanos < 0 ? untilDue : Math.min(timeoutNanos, untilDue);
    }

    private void select(long waitNanos) {
        readyCount = 0;
        cancelledSinceSelect = false; // every select deregisters the cancelled keys
        try {
            if (waitNanos == 0) {
                selector.selectNow(collector);
            } else if (waitNanos < 0) {
                selector.select(collector);
            } else {
                // Round up: a timer due in 0.3 ms must not turn into select(0), which waits forever.
                selector.select(collector, Math.max(1, (waitNanos + 999_999) / 1_000_000));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the selector failed: " + e.getMessage(), e);
        }
    }

    private void collect(SelectionKey key) {
        if (readyCount == readyKeys.length) {
            readyKeys = Arrays.copyOf(readyKeys, readyCount * 2);
            readyOps = Arrays.copyOf(readyOps, readyCount * 2);
        }
        readyKeys[readyCount] = key;
        readyOps[readyCount++] = key.readyOps();
    }

    private static final int READ_PHASE = SelectionKey.OP_READ | SelectionKey.OP_ACCEPT;

    /**
     * Hands the selected events to their dispatchers. An event reaches a dispatcher only while the
     * key that fired is still its current key: one closed (or given a new socket) earlier in the
     * pass gets nothing more. A pending connect (OP_CONNECT) is a write event when the dispatcher
     * is writable() and a connect event alone otherwise.
     */
    private void dispatch(boolean usePoll) {
        int n = readyCount;
        if (n > 0) {
            monitor.begin();
        }
        try {
            if (usePoll) {
                for (int i = 0; i < n; i++) {
                    SelectionKey key = readyKeys[i];
                    fire(key, fire(key, readyOps[i], true, true), false, true);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    readyOps[i] = fire(readyKeys[i], readyOps[i], true, false);
                }
                for (int i = 0; i < n; i++) {
                    fire(readyKeys[i], readyOps[i], false, false);
                }
            }
        } finally {
            // Also when ExitNow or an Error leaves the pass: the array outlives it.
            Arrays.fill(readyKeys, 0, n, null);
            readyCount = 0;
        }
    }

    /**
     * Read events for dispatchers whose transport holds input the socket no longer shows: the
     * selector would not report them again. Each is delivered once per pass while it lasts.
     */
    private void dispatchBuffered(boolean usePoll) {
        ArrayList<Registration> now = buffered;
        buffered = bufferedSpare;
        bufferedSpare = now;
        monitor.begin();
        try {
            for (int i = 0; i < now.size(); i++) {
                Registration r = now.get(i);
                r.buffered = false;
                SelectionKey key = r.key;
                if (key != null && (r.applicationOps & READ_PHASE) != 0 && r.transport.hasBufferedInput()) {
                    fire(key, SelectionKey.OP_READ, true, usePoll);
                }
            }
        } finally {
            now.clear();
        }
    }

    /**
     * The one place an event reaches a dispatcher. The read phase first lets the transport turn
     * the selector's ready set into the application's; the write phase gets that result.
     *
     * @param readPhase true: accept, connect and read events; false: write events
     * @return the ready set as the application sees it, for the write phase
     */
    private int fire(SelectionKey key, int ready, boolean readPhase, boolean usePoll) {
        Registration r = (Registration) key.attachment();
        if (r.key != key) {
            return 0;
        }
        Dispatcher d = r.dispatcher;
        boolean handled = false;
        try {
            if (readPhase) {
                ready = r.transport.ready(ready, r.applicationOps);
                if ((ready & READ_PHASE) != 0) {
                    handled = true;
                    d.handleReadEvent();
                } else if ((ready & SelectionKey.OP_CONNECT) != 0 && !r.connectWantsWrite) {
                    handled = true;
                    d.handleConnectEvent();
                }
            } else if ((ready & SelectionKey.OP_WRITE) != 0
                    || ((ready & SelectionKey.OP_CONNECT) != 0 && r.connectWantsWrite)) {
                handled = true;
                d.handleWriteEvent();
            }
        } catch (ExitNow e) {
            throw e;
        } catch (Error e) {
            throw fatal(e, (readPhase ? "the read event of " : "the write event of ") + describe(d));
        } catch (Throwable t) {
            handled = true;
            failed(d, t, usePoll);
            // the write phase still runs if the dispatcher kept its key, as before
        }
        if (handled) {
            monitor.handled(d, readPhase, ready);
        }
        return ready;
    }

    /** The error policy, in one place: Python's select() sends everything to handle_error; poll() sends disconnects to handle_close. */
    private static void failed(Dispatcher d, Throwable t, boolean usePoll) {
        if (usePoll && Disconnects.isDisconnect(t)) {
            d.handleClose();
        } else {
            d.handleError(t);
        }
    }

    private void runTasksAndTimers() {
        tasks.woke();
        Runnable task = tasks.poll();
        if (task != null) {
            monitor.begin();
            for (int budget = TaskQueue.PER_PASS; task != null; task = --budget > 0 ? tasks.poll() : null) {
                runGuarded(task, "task");
                monitor.ran(task, false);
            }
        }
        if (virtualTime != null) {
            virtualTime.step(timers);
        }
        if (timers.isEmpty()) {
            return; // no clock read on a pass without timers
        }
        // Timers scheduled by the timers run below wait for the next pass: a timer that
        // re-arms itself with no delay cannot hold the loop here.
        long mark = timers.mark();
        long now = clock.nanoTime();
        TimerHandle t;
        boolean begun = false;
        while ((t = timers.takeDue(now, mark)) != null) {
            if (t.claim()) {
                if (!begun) {
                    monitor.begin();
                    begun = true;
                }
                runGuarded(t.task, "timer");
                monitor.ran(t.task, true);
            }
        }
    }

    private static void runGuarded(Runnable r, String what) {
        try {
            r.run();
        } catch (ExitNow e) {
            throw e;
        } catch (Error e) {
            throw fatal(e, "a " + what + " on the loop (" + describe(r) + ")");
        } catch (Throwable t) {
            LOGGER.log(Level.ERROR, "a " + what + " on the loop threw; the loop goes on: " + r, t);
        }
    }

    /**
     * The policy for a JVM {@link Error} ({@code OutOfMemoryError}, {@code StackOverflowError}...)
     * thrown where the loop runs user code: it is not handed to {@code handleError}, since the JVM
     * may be unable to go on, but it does not leave silently either. One ERROR line on the
     * {@code io.asyncore} logger names where it came from; then it propagates out of the pass, and
     * so out of {@link Asyncore#loop}, with the map and its dispatchers left as they are.
     *
     * @return {@code e}, for the caller to throw
     */
    static Error fatal(Error e, String where) {
        try {
            LOGGER.log(Level.ERROR, where + " threw " + e + "; the error leaves the loop, whose dispatchers stay "
                    + "open: close the map, or catch the error around the loop and run it again", e);
        } catch (Throwable again) {
            // Logging failed too (out of memory again, say): the original error still propagates.
        }
        return e;
    }

    /** {@code o}'s toString, or its class name if that throws: for messages about a failing handler. */
    static String describe(Object o) {
        try {
            return String.valueOf(o);
        } catch (RuntimeException | Error e) {
            return o.getClass().getName();
        }
    }

    /** Drops cancelled timers in bulk once they are most of the heap (for example after many timeouts that did not fire). */
    void timerCancelled() {
        if (owner != Thread.currentThread() && owner != null) {
            return; // counted when the loop thread meets it
        }
        timers.cancelled();
    }

    /**
     * Its {@link VirtualClock} moved: wakes the loop to run the timers that came due.
     *
     * @return false once the map is closed, so the clock forgets it
     */
    boolean clockAdvanced() {
        if (closed) {
            return false;
        }
        selector.wakeup();
        return true;
    }

    /** Keys registered with the selector, cancelled ones not yet deregistered included. For tests. */
    int registeredKeyCount() {
        return selector.keys().size();
    }

    /** Timers in the heap, cancelled ones not yet dropped included. For tests. */
    int timerCount() {
        return timers.size();
    }

    // ---------------------------------------------------------------- membership

    void add(Dispatcher d) {
        checkOpen();
        checkConfined("adding a dispatcher");
        if (!dispatchers.add(d)) {
            return;
        }
        Registration r = d.registration;
        r.inMap = true;
        r.polled = !d.announcesInterest();
        if (r.polled) {
            r.polledIndex = polled.size();
            polled.add(r);
        } else {
            markDirty(r);
        }
    }

    void remove(Dispatcher d) {
        checkConfined("removing a dispatcher");
        if (!dispatchers.remove(d)) {
            return;
        }
        Registration r = d.registration;
        r.inMap = false;
        int i = r.polledIndex;
        if (i >= 0) {
            Registration last = polled.remove(polled.size() - 1);
            if (last != r) {
                polled.set(i, last);
                last.polledIndex = i;
            }
            r.polledIndex = -1;
        }
        SelectionKey key = r.key;
        if (key != null) {
            key.cancel();
            cancelledSinceSelect = true;
            r.key = null;
            r.ops = 0;
        }
    }

    void markDirty(Registration r) {
        if (!r.dirty) {
            r.dirty = true;
            dirty.add(r);
        }
    }

    void markBuffered(Registration r) {
        if (!r.buffered) {
            r.buffered = true;
            buffered.add(r);
        }
    }

    /**
     * Lets the selector release the channels of cancelled keys now. The JDK closes a registered
     * channel's descriptor only when its key is deregistered, which happens in a select; when no
     * select follows (the loop returned, or no loop runs), a closed dispatcher's descriptor would
     * stay open and its peer would never see end of stream. Called when a dispatcher closes outside
     * a pass and whenever a loop or pass hands control back. Readiness seen here is ignored: the
     * selector is level-triggered and reports it again.
     */
    void releaseCancelledKeys() {
        if (!cancelledSinceSelect || closed || inPass) {
            return; // nothing to release, or the pass's next select does it
        }
        Thread t = owner;
        if (t != null && t != Thread.currentThread()) {
            return;
        }
        try {
            selectDiscarding();
        } catch (IOException e) {
            LOGGER.log(Level.WARNING, "releasing closed channels failed", e);
        }
    }

    /**
     * A selectNow whose readiness is ignored (the selector is level-triggered and reports it
     * again), only to let the selector drop cancelled keys. It may swallow the wake-up of an
     * {@link #execute}; clearing the flag afterwards lets the next execute wake the selector again,
     * and tasks already queued are seen by the next pass's wait.
     */
    private void selectDiscarding() throws IOException {
        selector.selectNow(key -> { });
        cancelledSinceSelect = false;
        tasks.woke();
    }

    /** The buffers this map's TLS connections work in, made on first use. */
    TlsScratch tlsScratch() {
        TlsScratch t = tlsScratch;
        if (t == null) {
            t = tlsScratch = new TlsScratch();
        }
        return t;
    }

    ByteBuffer readBuffer(int size) {
        if (size > SHARED_READ_BUFFER) {
            return ByteBuffer.allocate(size);
        }
        ByteBuffer b = sharedReadBuffer;
        if (b == null) {
            b = sharedReadBuffer = ByteBuffer.allocateDirect(SHARED_READ_BUFFER);
        }
        b.clear().limit(size);
        return b;
    }

    // ---------------------------------------------------------------- ownership

    /** Marks the calling thread as the one driving this map; fails if another thread does. */
    void enter() {
        Thread me = Thread.currentThread();
        Thread t = owner;
        if (t != null && t != me) {
            throw new IllegalStateException("this SocketMap is already run by thread '" + t.getName()
                    + "'; one map is driven by one thread at a time (post work to it with execute())");
        }
        owner = me;
        ownerDepth++;
    }

    void exit() {
        if (ownerDepth == 1) {
            releaseCancelledKeys();
        }
        if (--ownerDepth == 0) {
            owner = null;
        }
    }

    void checkConfined(String what) {
        Thread t = owner;
        if (t != null && t != Thread.currentThread()) {
            throw new IllegalStateException(what + " from thread '" + Thread.currentThread().getName()
                    + "' while thread '" + t.getName() + "' runs this SocketMap's loop; "
                    + "do it on the loop thread with map.execute(...)");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this SocketMap is closed; make a new one");
        }
    }

    static long toNanos(Duration timeout) {
        if (timeout == null) {
            return -1;
        }
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout < 0: " + timeout + " (use null to wait without limit)");
        }
        return saturatedNanos(timeout);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 2;
        }
    }
}
