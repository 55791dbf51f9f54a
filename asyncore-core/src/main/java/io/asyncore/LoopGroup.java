package io.asyncore;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * N loops on N threads, started and stopped as one: a server past one core. Each loop is a
 * {@link SocketMap} driven by a thread of its own; each connection is served by one loop for its
 * whole life, so a handler keeps the single-thread guarantee of asyncore: it never runs
 * concurrently with itself or with the other dispatchers of its map.
 *
 * <pre>{@code
 * LoopGroup group = new LoopGroup(2).start();
 * group.listen(new InetSocketAddress("127.0.0.1", 8080), (channel, map) -> new EchoHandler(channel, map));
 * // ... later
 * group.close(); // listeners close, connections get 10 s to finish, then the rest closes
 * }</pre>
 *
 * A listener of one's own hands a connection over in one line, from {@code handleAccepted}:
 * <pre>{@code
 * public void handleAccepted(SocketChannel sock, SocketAddress addr) {
 *     group.serve(sock, (channel, map) -> new EchoHandler(channel, map));
 * }
 * }</pre>
 * and a client picks a loop with {@link #next()}: {@code new Client(group.next())}, made on that
 * loop ({@code map.execute(...)}) once the group runs.
 *
 * <h2>Spreading connections: one acceptor or one listener per loop</h2>
 * {@link #listen(SocketAddress, HandlerFactory)} puts one listener on one loop, which hands each
 * connection to the loop the {@link LoopChooser} picks (round robin by default). The spread is
 * exactly what the chooser says and survives a loop's listener closing (there is only one); the
 * cost is one cross-thread hand-off per connection (a queued task and, when the target loop
 * sleeps, one selector wake-up), and every accept is done by one thread, which caps the connect
 * rate at what one core accepts.
 * {@link #listenOnEachLoop(SocketAddress, HandlerFactory)} instead opens one listener per loop on
 * the same address with {@code SO_REUSEPORT} (Linux 3.9+): the kernel spreads incoming connects by
 * a hash of the address pair, every loop accepts its own with no hand-off, and the connect rate
 * scales with the loops. But the spread is only statistically fair (a few clients, or clients
 * behind one address, can land unevenly and the chooser has no say), a busy loop keeps receiving
 * its share of new connections, and when one loop's listener closes, the connections the kernel
 * already queued on it are reset while new connects go to the remaining listeners (Linux 5.14+
 * moves them to another listener instead if {@code net.ipv4.tcp_migrate_req} is 1). On macOS and
 * the BSDs the option exists without the kernel's spreading: the last listener bound gets the
 * connects, so this mode does not spread there.
 *
 * <h2>Threading</h2>
 * Before {@link #start()}, any one thread may set the loops up (make listeners and dispatchers on
 * their maps) as with any map. Once started, each map belongs to its thread: make dispatchers on
 * it from that thread, through {@link SocketMap#execute}, {@link #serve} or {@link #listen}. The
 * methods of this class are safe from any thread unless they say otherwise.
 *
 * <h2>Stopping</h2>
 * {@link #shutdown(Duration)} stops in three phases, on every loop at once: the listeners close and
 * dispatchers that implement {@link Drainable} are told; the loops run until their maps are empty
 * or the grace period ends; then every dispatcher still open is closed (dropping output it still
 * queues, as {@link SocketMap#close()} does), the maps close and the threads end. Connections
 * handed over once the stop began are refused (closed). A loop whose pass throws (a handler's JVM
 * {@link Error}) or a handler's {@link ExitNow} stops the whole group the same way; the first such
 * error is kept in {@link #failure()}.
 *
 * <h2>Errors</h2>
 * A handler that throws on one loop goes to its {@code handleError} as on any map; the other loops
 * do not notice. Misuse (no loop, a stopped group, a map that is not one of the group's) fails at
 * once with a message saying what to do.
 */
public final class LoopGroup implements AutoCloseable {
    /** The grace period of {@link #close()}: 10 seconds. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);

    private static final AtomicInteger GROUPS = new AtomicInteger();

    private enum State { NEW, RUNNING, STOPPING }

    private final String name;
    private final GroupLoop[] loops;
    private final List<SocketMap> maps;
    private final LoopChooser chooser;
    private final CountDownLatch ended;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile State state = State.NEW;
    private volatile long deadlineNanos;

    /** One loop per available processor, round robin. */
    public LoopGroup() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /**
     * {@code loops} loops, round robin.
     *
     * @throws IllegalArgumentException if {@code loops < 1}
     */
    public LoopGroup(int loops) {
        this(loops, LoopChooser.roundRobin());
    }

    /**
     * {@code loops} loops, spread by {@code chooser}; threads named {@code asyncore-group-<n>-loop-<i>}.
     *
     * @throws IllegalArgumentException if {@code loops < 1}
     */
    public LoopGroup(int loops, LoopChooser chooser) {
        this(loops, chooser, "asyncore-group-" + GROUPS.incrementAndGet());
    }

    /**
     * {@code loops} loops, spread by {@code chooser}, on threads named {@code <name>-loop-<i>}. The
     * maps are made here; the threads start with {@link #start()}.
     *
     * @throws IllegalArgumentException if {@code loops < 1}
     * @throws java.io.UncheckedIOException if a selector cannot be opened (out of descriptors)
     */
    public LoopGroup(int loops, LoopChooser chooser, String name) {
        if (loops < 1) {
            throw new IllegalArgumentException("loops < 1: " + loops
                    + " (a group needs at least one loop; new LoopGroup() makes one per processor)");
        }
        this.chooser = Objects.requireNonNull(chooser, "chooser");
        this.name = Objects.requireNonNull(name, "name");
        this.loops = new GroupLoop[loops];
        List<SocketMap> made = new ArrayList<>(loops);
        try {
            for (int i = 0; i < loops; i++) {
                SocketMap map = new SocketMap();
                made.add(map);
                this.loops[i] = new GroupLoop(this, map, name + "-loop-" + i);
            }
        } catch (RuntimeException | Error e) {
            made.forEach(SocketMap::close);
            throw e;
        }
        this.maps = List.copyOf(made);
        this.ended = new CountDownLatch(loops);
    }

    /** The number of loops. */
    public int size() {
        return loops.length;
    }

    /** The loops' maps, in loop order. */
    public List<SocketMap> loops() {
        return maps;
    }

    /**
     * The map of loop {@code index}.
     *
     * @throws IndexOutOfBoundsException if there is no such loop
     */
    public SocketMap loop(int index) {
        return maps.get(index);
    }

    /**
     * The loop for the next connection, as the chooser picks it: for a client that wants to be
     * served by the group. Make its dispatcher on that loop ({@code map.execute(...)}) once the
     * group runs.
     *
     * @throws IllegalStateException if the chooser returns a map that is not one of the group's
     */
    public SocketMap next() {
        return chosen().map;
    }

    /**
     * Starts the loops' threads. Idempotent while running.
     *
     * @return this group
     * @throws IllegalStateException if the group was stopped
     */
    public synchronized LoopGroup start() {
        if (state == State.STOPPING) {
            throw new IllegalStateException("start() on a LoopGroup that was stopped; make a new one");
        }
        if (state == State.NEW) {
            state = State.RUNNING;
            for (GroupLoop loop : loops) {
                loop.thread.start();
            }
        }
        return this;
    }

    /** True from {@link #start()} until a stop begins. */
    public boolean isRunning() {
        return state == State.RUNNING;
    }

    /** True once every loop has ended and its map is closed. */
    public boolean isTerminated() {
        return ended.getCount() == 0;
    }

    /**
     * Serves {@code channel} on the loop the chooser picks: {@code factory} makes its handler on
     * that loop's thread, at once if the caller is that thread, else at the end of the loop's
     * current pass. The one line a listener's {@code handleAccepted} needs.
     *
     * @throws IllegalStateException if the group is stopping or stopped ({@code channel} is then closed)
     */
    public void serve(SocketChannel channel, HandlerFactory factory) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(factory, "factory");
        serveOn(chosen(), channel, factory);
    }

    /**
     * Serves {@code channel} on the loop of {@code map}, one of the group's, as
     * {@link #serve(SocketChannel, HandlerFactory)} does.
     *
     * @throws IllegalArgumentException if {@code map} is not one of the group's loops
     * @throws IllegalStateException if the group is stopping or stopped ({@code channel} is then closed)
     */
    public void serve(SocketChannel channel, SocketMap map, HandlerFactory factory) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(factory, "factory");
        GroupLoop loop = loopOf(map);
        if (loop == null) {
            throw new IllegalArgumentException(map + " is not one of this group's loops: pick one with next() or loop(i)");
        }
        serveOn(loop, channel, factory);
    }

    private void serveOn(GroupLoop loop, SocketChannel channel, HandlerFactory factory) {
        // Announce first, check second: a loop does not end while a hand-off it may receive is announced.
        loop.handoffs.incrementAndGet();
        if (state == State.STOPPING) {
            loop.handoffs.decrementAndGet();
            GroupLoop.closeQuietly(channel);
            throw new IllegalStateException("cannot serve a connection on " + name + ": the group is "
                    + (isTerminated() ? "stopped" : "stopping") + "; the connection was closed");
        }
        if (loop.map.inLoop()) {
            loop.accept(channel, factory);
        } else {
            loop.map.execute(() -> loop.accept(channel, factory));
        }
    }

    /**
     * Listens on {@code address} with one listener, on loop 0, handing each
     * connection to a loop of the group (see the class notes for the trade-off). Safe from any
     * thread; from a thread of the group other than the listener's, it waits for that loop.
     *
     * @param factory makes each connection's handler, on its loop
     * @return the listener, whose {@link Dispatcher#addr()} is the address bound (with the real port
     *     for port 0); it closes when the group stops, or close it on its loop
     * @throws java.net.BindException if the address is in use
     * @throws IllegalStateException if the group is stopping or stopped
     */
    public Dispatcher listen(SocketAddress address, HandlerFactory factory) throws IOException {
        return listen(address, 0, factory);
    }

    /**
     * {@link #listen(SocketAddress, HandlerFactory)} with a listen backlog of {@code backlog}
     * connections; below 1 means the system's, {@link Asyncore#defaultBacklog()}.
     */
    public Dispatcher listen(SocketAddress address, int backlog, HandlerFactory factory) throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(factory, "factory");
        SocketMap map = maps.get(0);
        return onLoop(map, () -> new GroupAcceptor(open(address, backlog, false), map, this, factory, false));
    }

    /**
     * Listens on {@code address} with one listener per loop, bound together with
     * {@code SO_REUSEPORT}, each serving the connections it accepts on its own loop (see the class
     * notes for the trade-off). For port 0, the first loop's port is used by all.
     *
     * @return the listeners, in loop order
     * @throws UnsupportedOperationException if the platform has no {@code SO_REUSEPORT} (or the
     *     address is a Unix-domain path): use {@link #listen(SocketAddress, HandlerFactory)}
     * @throws java.net.BindException if the address is in use by a socket without {@code SO_REUSEPORT}
     * @throws IllegalStateException if the group is stopping or stopped
     */
    public List<Dispatcher> listenOnEachLoop(SocketAddress address, HandlerFactory factory) throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(factory, "factory");
        List<Dispatcher> listeners = new ArrayList<>(loops.length);
        SocketAddress bound = address;
        try {
            for (GroupLoop loop : loops) {
                SocketAddress at = bound;
                Dispatcher d = onLoop(loop.map, () -> new GroupAcceptor(open(at, 0, true), loop.map, this, factory, true));
                listeners.add(d);
                bound = d.addr();
            }
        } catch (IOException | RuntimeException e) {
            for (Dispatcher d : listeners) {
                d.map().execute(d::close);
            }
            throw e;
        }
        return List.copyOf(listeners);
    }

    private static ServerSocketChannel open(SocketAddress address, int backlog, boolean reusePort) throws IOException {
        ServerSocketChannel ssc = ServerSocketChannel.open(Asyncore.protocolFamily(address));
        try {
            if (address instanceof java.net.InetSocketAddress) {
                ssc.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            }
            if (reusePort) {
                if (Asyncore.protocolFamily(address) == StandardProtocolFamily.UNIX
                        || !ssc.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                    throw new UnsupportedOperationException("SO_REUSEPORT is not available for " + address
                            + " on this platform: use listen(address, factory), one listener handing off");
                }
                ssc.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            ssc.bind(address, backlog < 1 ? Backlog.system() : backlog);
            return ssc;
        } catch (IOException | RuntimeException e) {
            ssc.close();
            throw e;
        }
    }

    /** Runs {@code action} on {@code map}'s loop and waits for its result (at once if not started or already there). */
    private <T> T onLoop(SocketMap map, Callable<T> action) throws IOException {
        if (state == State.STOPPING) {
            throw new IllegalStateException("cannot listen on " + name + ": the group is stopping or stopped");
        }
        try {
            if (state == State.NEW || map.inLoop()) {
                return action.call();
            }
            CompletableFuture<T> result = new CompletableFuture<>();
            map.execute(() -> {
                try {
                    result.complete(action.call());
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
            return result.get();
        } catch (ExecutionException e) {
            return rethrow(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a loop of " + name, e);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T rethrow(Throwable t) throws IOException {
        if (t instanceof IOException io) {
            throw io;
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }

    /**
     * Connections handed to each loop so far by {@link #serve} and the listeners, in loop order:
     * how evenly the chooser spreads them.
     */
    public long[] servedCounts() {
        long[] counts = new long[loops.length];
        for (int i = 0; i < loops.length; i++) {
            counts[i] = loops[i].served.get();
        }
        return counts;
    }

    /**
     * Begins the stop (see the class notes) and returns at once: listeners close now, connections
     * get until {@code grace} has passed, then the rest closes. Idempotent; a second call can only
     * bring the deadline closer. A group never started stops at once, without starting. Safe from
     * any thread, a loop's own included.
     *
     * @throws IllegalArgumentException if {@code grace} is negative
     */
    public void shutdown(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace < 0: " + grace);
        }
        long deadline = System.nanoTime() + SocketMap.toNanos(grace);
        boolean neverStarted;
        synchronized (this) {
            neverStarted = state == State.NEW;
            if (state != State.STOPPING || deadline - deadlineNanos < 0) {
                deadlineNanos = deadline;
            }
            state = State.STOPPING;
        }
        if (neverStarted) {
            for (GroupLoop loop : loops) {
                loop.thread.start(); // straight to the stop: closes what was set up, and the map
            }
        }
        for (GroupLoop loop : loops) {
            loop.map.execute(() -> { }); // wake it: its pass notices the stop
        }
    }

    /**
     * Waits until every loop has ended, up to {@code timeout}.
     *
     * @return true if the group terminated in time
     * @throws IllegalStateException if called from one of the group's loops (it would wait for itself)
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        checkNotOnLoop("awaitTermination()");
        return ended.await(SocketMap.toNanos(timeout), TimeUnit.NANOSECONDS);
    }

    /**
     * {@link #shutdown(Duration) shutdown(DEFAULT_GRACE)}, then waits for the loops to end.
     *
     * @throws IllegalStateException if called from one of the group's loops: call
     *     {@code shutdown} there instead
     */
    @Override
    public void close() {
        checkNotOnLoop("close()");
        shutdown(DEFAULT_GRACE);
        boolean interrupted = false;
        while (true) {
            try {
                ended.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The first error that ended a loop's pass (a handler's JVM {@link Error}), or {@code null}. */
    public Throwable failure() {
        return failure.get();
    }

    @Override
    public String toString() {
        return "LoopGroup[" + name + ", " + loops.length + " loops, " + (isTerminated() ? "stopped" : state.name().toLowerCase()) + "]";
    }

    // ---------------------------------------------------------------- for the loops

    long deadlineNanos() {
        return deadlineNanos;
    }

    void failed(GroupLoop loop, Throwable t) {
        failure.compareAndSet(null, t);
        SocketMap.LOGGER.log(Level.ERROR, "loop " + loop.thread.getName() + " failed; the group " + name + " stops", t);
        shutdown(DEFAULT_GRACE);
    }

    void loopEnded() {
        ended.countDown();
    }

    private GroupLoop chosen() {
        SocketMap map = chooser.next(maps);
        GroupLoop loop = loopOf(map);
        if (loop == null) {
            throw new IllegalStateException("the LoopChooser " + chooser + " returned " + map
                    + ", which is not one of this group's loops; it must return an element of its argument");
        }
        return loop;
    }

    private GroupLoop loopOf(SocketMap map) {
        for (GroupLoop loop : loops) {
            if (loop.map == map) {
                return loop;
            }
        }
        return null;
    }

    private void checkNotOnLoop(String what) {
        for (GroupLoop loop : loops) {
            if (loop.thread == Thread.currentThread()) {
                throw new IllegalStateException(what + " on " + loop.thread.getName()
                        + " would wait for itself; call shutdown(grace) from a loop instead");
            }
        }
    }
}
