package io.asyncore;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;

/**
 * The loop and the module-level functions of Python's {@code asyncore}.
 *
 * <pre>{@code
 * new EchoServer(new InetSocketAddress("127.0.0.1", 8080));
 * Asyncore.loop();
 * }</pre>
 */
public final class Asyncore {
    /** Python's default {@code timeout}: 30 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final SocketMap GLOBAL = new SocketMap();

    private Asyncore() {
    }

    /**
     * The listen backlog used when none is given ({@link Dispatcher#listen()}, {@code listen(0)},
     * the coroutine module's servers): the system's cap on backlogs, read once from
     * {@code /proc/sys/net/core/somaxconn} on Linux (4096 on current kernels), and 4096 where it
     * cannot be read (the kernel caps it at its own limit). The JDK's own default would be 50,
     * which a burst of a few hundred connects overflows.
     */
    public static int defaultBacklog() {
        return Backlog.system();
    }

    /**
     * The protocol family of {@code address}, for {@link Dispatcher#createSocket(ProtocolFamily)}
     * and {@code SocketChannel.open(family)}: {@code INET} for an IPv4 address, {@code INET6} for
     * an IPv6 one, {@code UNIX} for a Unix-domain path. The one place the library answers this
     * question, so every caller fails the same way.
     *
     * @throws UnknownHostException if {@code address} is an unresolved {@link InetSocketAddress}
     *     (from {@code createUnresolved}, or a name that did not resolve): resolve it first
     * @throws IllegalArgumentException if {@code address} is neither an {@link InetSocketAddress}
     *     nor a {@link UnixDomainSocketAddress}
     */
    public static ProtocolFamily protocolFamily(SocketAddress address) throws UnknownHostException {
        Objects.requireNonNull(address, "address");
        if (address instanceof UnixDomainSocketAddress) {
            return StandardProtocolFamily.UNIX;
        }
        if (address instanceof InetSocketAddress inet) {
            if (inet.isUnresolved()) {
                throw new UnknownHostException("cannot resolve host '" + inet.getHostString()
                        + "': check the name, or pass a resolved address (new InetSocketAddress(host, port) resolves)");
            }
            return inet.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        }
        throw new IllegalArgumentException("unsupported address type " + address.getClass().getName()
                + ": use InetSocketAddress or UnixDomainSocketAddress");
    }

    /** The global map that dispatchers join when given no map: Python's {@code asyncore.socket_map}. */
    public static SocketMap socketMap() {
        return GLOBAL;
    }

    /** Runs the global map until it is empty, waiting up to 30 s per pass. */
    public static void loop() {
        loop(DEFAULT_TIMEOUT, false, null);
    }

    /** Runs the global map until it is empty, waiting up to {@code timeout} per pass ({@code null}: no limit). */
    public static void loop(Duration timeout) {
        loop(timeout, false, null);
    }

    /**
     * Runs passes until {@code map} is empty: Python's {@code loop(timeout, use_poll, map)}.
     *
     * <p>{@code usePoll} picks between Python's two dispatch orders, both served by the JDK's
     * selector: {@code false} (select) delivers every read event of a pass, then every write event;
     * {@code true} (poll) delivers each channel's read then write event together, and a handler's
     * "peer went away" error ({@code Connection reset}, {@code Broken pipe}...) goes to
     * {@code handleClose()} rather than {@code handleError()}.
     *
     * <p>A pass with nothing to wait for sleeps until {@code timeout}, the next timer or the next
     * task from {@link SocketMap#execute}, without spinning.
     *
     * @param timeout the longest wait per pass; {@code null} waits without limit
     * @param map the map to run; {@code null} means the global map
     * @throws IllegalStateException if another thread is running {@code map}
     */
    public static void loop(Duration timeout, boolean usePoll, SocketMap map) {
        SocketMap m = map != null ? map : GLOBAL;
        long nanos = SocketMap.toNanos(timeout);
        m.enter();
        try {
            while (!m.isEmpty()) {
                m.pass(nanos, usePoll, false);
            }
        } finally {
            m.exit();
        }
    }

    /**
     * Like {@link #loop(Duration, boolean, SocketMap)}, for at most {@code count} passes (an idle
     * pass counts too).
     *
     * @throws IllegalArgumentException if {@code count} is negative
     */
    public static void loop(Duration timeout, boolean usePoll, SocketMap map, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count < 0: " + count);
        }
        SocketMap m = map != null ? map : GLOBAL;
        long nanos = SocketMap.toNanos(timeout);
        m.enter();
        try {
            for (int i = 0; i < count && !m.isEmpty(); i++) {
                m.pass(nanos, usePoll, false);
            }
        } finally {
            m.exit();
        }
    }

    /** One pass over {@code map} in select order: Python's {@code asyncore.poll}. Returns at once if the map is empty. */
    public static void poll(Duration timeout, SocketMap map) {
        poll(timeout, map, false);
    }

    /** One pass over {@code map} in the order {@code usePoll} picks (see {@link #loop(Duration, boolean, SocketMap)}). */
    public static void poll(Duration timeout, SocketMap map, boolean usePoll) {
        SocketMap m = map != null ? map : GLOBAL;
        long nanos = SocketMap.toNanos(timeout);
        m.enter();
        try {
            m.pass(nanos, usePoll, false);
        } finally {
            m.exit();
        }
    }

    /** Closes every dispatcher of the global map. */
    public static void closeAll() {
        closeAll(null, false);
    }

    /**
     * Closes every dispatcher of {@code map} and empties it: Python's {@code close_all}. A
     * {@code close()} that throws stops the sweep and propagates, unless {@code ignoreAll};
     * {@link ExitNow} and {@link Error}s always propagate.
     *
     * <p>Each dispatcher closes at once, as in Python: output that a {@link DispatcherWithSend} or
     * an {@code AsyncChat} still holds is dropped. To let it drain first, call their
     * {@code closeWhenDone()} instead and run the loop until the map is empty.
     */
    public static void closeAll(SocketMap map, boolean ignoreAll) {
        SocketMap m = map != null ? map : GLOBAL;
        m.checkConfined("closeAll()");
        for (Dispatcher d : m.dispatchers()) {
            try {
                d.close();
            } catch (ExitNow | Error e) {
                throw e;
            } catch (RuntimeException e) {
                if (!ignoreAll) {
                    throw e;
                }
            }
        }
        for (Dispatcher d : m.dispatchers()) {
            d.delChannel(); // a close() override that did not leave the map
        }
    }

    /**
     * A one-line summary of {@code error} for logs: Python's {@code compact_traceback}, as
     * {@code type:message [File.java|method|line] ...}. Frames run from where it was thrown
     * (innermost, Java's order; Python lists the outermost first) up to the loop's dispatch.
     */
    public static String compactTraceback(Throwable error) {
        Objects.requireNonNull(error, "error");
        StringBuilder sb = new StringBuilder(error.getClass().getName()).append(':').append(error.getMessage());
        for (StackTraceElement f : error.getStackTrace()) {
            sb.append(" [").append(f.getFileName()).append('|').append(f.getMethodName())
                    .append('|').append(f.getLineNumber()).append(']');
            if (f.getClassName().equals(SocketMap.class.getName())) {
                break; // where the loop caught it: Python's traceback starts there
            }
        }
        return sb.toString();
    }
}
