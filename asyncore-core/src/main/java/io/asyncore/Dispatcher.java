package io.asyncore;

import io.asyncore.internal.InterestAnnounced;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.WeakReference;
import java.lang.reflect.Method;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;

/**
 * A thin wrapper around a non-blocking socket whose events the loop turns into handler calls:
 * Python's {@code asyncore.dispatcher}.
 *
 * <p>Subclass it and override the {@code handle...} methods. The loop asks {@link #readable()} and
 * {@link #writable()} before each pass, waits for the events they ask for, then calls, per event:
 * <ul>
 *   <li>a read event on a listening dispatcher: {@link #handleAcceptEvent()} → {@link #handleAccept()};
 *   <li>the first read or write event of a connecting dispatcher: {@link #handleConnectEvent()} →
 *       {@link #handleConnect()}, then {@link #handleRead()} or {@link #handleWrite()};
 *   <li>otherwise {@link #handleRead()} or {@link #handleWrite()}.
 * </ul>
 * A handler that throws goes to {@link #handleError(Throwable)}, which by default logs a compact
 * traceback and closes the dispatcher; the loop keeps serving the others. {@link ExitNow} and JVM
 * {@link Error}s propagate out of the loop.
 *
 * <h2>Threading</h2>
 * Every method is for the loop thread (or for any one thread while no loop runs on the map):
 * dispatchers are not thread-safe, exactly as in Python. Reach a dispatcher from another thread
 * through {@link SocketMap#execute(Runnable)}.
 *
 * <h2>Interest</h2>
 * A subclass that overrides {@code readable()} or {@code writable()} is asked on every pass, as
 * Python asks. The library's own classes instead announce when their answer may change, so an
 * idle connection costs nothing per pass; a subclass can do the same by overriding
 * {@link #announcesInterest()} and calling {@link #interestChanged()}.
 *
 * <h2>Differences from Python</h2>
 * <ul>
 *   <li>{@code createSocket()} opens a {@link SocketChannel}; {@link #bind} binds it at once (a port in
 *       use fails there, as in Python) and {@link #listen} moves the bound address to a
 *       {@link ServerSocketChannel}, because the JDK binds and listens in one call.
 *   <li>{@link #recv(int)} returns an empty array when nothing is available (Python raises
 *       {@code BlockingIOError}); at end of stream it also returns an empty array, after
 *       {@link #handleClose()}, and {@link #isConnected()} is then false.
 *   <li>{@link #send} while the connect is still pending returns 0, as Linux's {@code send()} would
 *       (the JDK itself refuses to write then).
 *   <li>{@link #handleExpt()} is never called by the loop: NIO cannot receive out-of-band data.
 *   <li>Sending or receiving on a dispatcher after {@link #close()} throws
 *       {@link IllegalStateException} instead of quietly calling {@code handleClose()} again.
 * </ul>
 */
public class Dispatcher {
    private static final byte[] EMPTY = new byte[0];
    private static final Set<String> DEFAULT_IGNORED_LOG_TYPES = Set.of("warning");
    /** Connections taken per accept event at most, so one busy listener cannot starve the loop. */
    private static final int ACCEPTS_PER_EVENT = 64;

    private final SocketMap map;

    private boolean connected;
    private boolean accepting;
    private boolean connecting;
    private boolean closing;
    private boolean closed;
    private SocketAddress addr;
    private boolean debug;
    private Set<String> ignoreLogTypes = DEFAULT_IGNORED_LOG_TYPES;

    private ProtocolFamily family;
    private boolean reuseAddr;
    private boolean tookConnection;
    /** A send or recv met a reset or broken pipe: the peer is gone for good. */
    private boolean peerGone;

    private SelectableChannel channel;
    /** The loop's side of this dispatcher: its key, its pass bookkeeping and its transport. */
    final Registration registration;
    /** Leak detection's watch over this dispatcher and its channel, if it is one of those watched. */
    private LeakWatch leak;
    /** What leak detection watches instead of this dispatcher ({@link #watchLeaksOf}), held weakly; {@code null}: this. */
    private WeakReference<Object> leakOwner;

    /** A dispatcher with no socket yet, in the global map once it gets one. */
    public Dispatcher() {
        this(null, null);
    }

    /**
     * A dispatcher with no socket yet, in {@code map} once it gets one.
     *
     * @param map the map to join; {@code null} means the global map
     */
    public Dispatcher(SocketMap map) {
        this(null, map);
    }

    /**
     * A dispatcher serving an existing socket, typically one from {@link #accept()}, in the global map.
     *
     * @see #Dispatcher(NetworkChannel, SocketMap)
     */
    public Dispatcher(NetworkChannel sock) {
        this(sock, null);
    }

    /**
     * A dispatcher serving an existing socket: it is switched to non-blocking mode and joins
     * {@code map} at once. A connected socket makes the dispatcher connected with the peer as
     * {@link #addr()}; a bound {@link ServerSocketChannel} makes it accepting (Python would call
     * such a socket merely unconnected, but the JDK can only accept on it).
     *
     * @param sock a {@link SocketChannel}, {@link ServerSocketChannel} or {@link DatagramChannel};
     *     {@code null} for none yet
     * @param map the map to join; {@code null} means the global map
     * @throws IllegalArgumentException if {@code sock} is not a selectable channel
     * @throws UncheckedIOException if the socket cannot be switched to non-blocking mode or queried
     */
    public Dispatcher(NetworkChannel sock, SocketMap map) {
        this.map = map != null ? map : Asyncore.socketMap();
        this.registration = new Registration(this, this.map);
        if (sock != null) {
            adopt(sock);
        }
    }

    private void adopt(NetworkChannel sock) {
        SelectableChannel sc = selectable(sock);
        try {
            sc.configureBlocking(false);
            setSocket(sock);
            if (sock instanceof SocketChannel ch) {
                connected = ch.isConnected();
                connecting = ch.isConnectionPending();
                addr = ch.getRemoteAddress();
            } else if (sock instanceof DatagramChannel ch) {
                connected = ch.isConnected();
                addr = ch.getRemoteAddress();
            } else if (sock instanceof ServerSocketChannel ch && ch.getLocalAddress() != null) {
                accepting = true;
                addr = ch.getLocalAddress();
            }
        } catch (IOException e) {
            delChannel();
            stopWatching(); // the channel stays the caller's
            throw new UncheckedIOException("cannot serve " + sock + ": " + e.getMessage(), e);
        }
    }

    private static SelectableChannel selectable(NetworkChannel sock) {
        if (!(sock instanceof SelectableChannel sc)) {
            throw new IllegalArgumentException(sock.getClass().getName() + " is not a SelectableChannel; "
                    + "the loop serves java.nio SocketChannel, ServerSocketChannel and DatagramChannel");
        }
        return sc;
    }

    // ---------------------------------------------------------------- state

    /** True once connected (Python's {@code connected}); false again after {@link #close()}. */
    public boolean isConnected() {
        return connected;
    }

    /** True once {@link #listen(int)} was called (Python's {@code accepting}). */
    public boolean isAccepting() {
        return accepting;
    }

    /** True while a {@link #connect} is pending; still true inside {@link #handleConnect()}, as in Python. */
    public boolean isConnecting() {
        return connecting;
    }

    /** Python's {@code closing} attribute: never set by the library, kept for code that sets and reads it. */
    public boolean isClosing() {
        return closing;
    }

    /** Sets the {@link #isClosing()} flag; the library never reads it. */
    public void setClosing(boolean closing) {
        this.closing = closing;
    }

    /**
     * The address given to {@link #bind} or {@link #connect}, or the peer of an adopted socket;
     * {@code null} if none. Like Python it is the address as given: a listener bound to port 0
     * still shows 0 (ask {@code socket()} for the real one).
     */
    public SocketAddress addr() {
        return addr;
    }

    /** The map this dispatcher belongs to. */
    public SocketMap map() {
        return map;
    }

    /** The channel being served (Python's {@code socket} attribute), or {@code null} if none yet. */
    public SelectableChannel socket() {
        return channel;
    }

    /** Python's {@code debug} flag: {@link DispatcherWithSend} logs what it sends while it is set. */
    public boolean isDebug() {
        return debug;
    }

    /** Sets the {@link #isDebug()} flag. */
    public void setDebug(boolean debug) {
        this.debug = debug;
    }

    /** The {@link #logInfo} types that are not logged; by default {@code "warning"}, as in Python. */
    public Set<String> ignoreLogTypes() {
        return ignoreLogTypes;
    }

    /** Replaces the set of {@link #logInfo} types that are not logged. */
    public void setIgnoreLogTypes(Set<String> types) {
        this.ignoreLogTypes = Set.copyOf(types);
    }

    // ---------------------------------------------------------------- interest

    /** True if the dispatcher wants read (or accept) events. Called before every pass when overridden. */
    @InterestAnnounced
    public boolean readable() {
        return true;
    }

    /**
     * True if the dispatcher wants write events. The default is true, as in Python, so a connected
     * dispatcher that does not override it gets {@code handleWrite()} on every pass.
     */
    @InterestAnnounced
    public boolean writable() {
        return true;
    }

    /**
     * True if this dispatcher calls {@link #interestChanged()} whenever its {@code readable()} or
     * {@code writable()} answer may change, so the loop need not ask them on every pass. By default
     * true exactly when neither predicate is overridden outside the library. Read once, when the
     * dispatcher joins its map, possibly from a constructor: return a constant.
     */
    protected boolean announcesInterest() {
        return !PollsPredicates.CACHE.get(getClass());
    }

    /**
     * Tells the loop that {@code readable()} or {@code writable()} may answer differently now; it
     * asks them again before the next wait. Cheap: at most one entry per dispatcher per pass.
     */
    protected final void interestChanged() {
        registration.interestChanged();
    }

    /** A listener, for the loop's interest rules (not the overridable {@link #isAccepting()}). */
    final boolean listening() {
        return accepting;
    }

    /** A connect still in progress, for the loop's interest rules. */
    final boolean connectPending() {
        return connecting && !connected;
    }

    /** Whether a class's readable()/writable() come from outside the library and so must be polled. */
    private static final class PollsPredicates extends ClassValue<Boolean> {
        static final PollsPredicates CACHE = new PollsPredicates();

        @Override
        protected Boolean computeValue(Class<?> type) {
            try {
                return !announced(type.getMethod("readable")) || !announced(type.getMethod("writable"));
            } catch (NoSuchMethodException e) {
                throw new AssertionError("Dispatcher declares readable() and writable()", e);
            }
        }

        private static boolean announced(Method m) {
            return m.isAnnotationPresent(InterestAnnounced.class);
        }
    }

    // ---------------------------------------------------------------- socket set-up

    /** Opens an IPv4 TCP socket and joins the map: Python's {@code create_socket()}. */
    public void createSocket() throws IOException {
        createSocket(StandardProtocolFamily.INET, SocketType.STREAM);
    }

    /** Opens a stream socket of {@code family} ({@code INET}, {@code INET6} or {@code UNIX}) and joins the map. */
    public void createSocket(ProtocolFamily family) throws IOException {
        createSocket(family, SocketType.STREAM);
    }

    /**
     * Opens a non-blocking socket and joins the map: from now on the dispatcher takes part in
     * every pass, as in Python. A previous socket is released from the map (not closed).
     *
     * @param family {@link StandardProtocolFamily#INET}, {@code INET6} or {@code UNIX}
     * @param type stream or datagram; the JDK has no Unix-domain datagram sockets
     */
    public void createSocket(ProtocolFamily family, SocketType type) throws IOException {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(type, "type");
        SelectableChannel sc = type == SocketType.STREAM ? SocketChannel.open(family) : DatagramChannel.open(family);
        try {
            sc.configureBlocking(false);
            this.family = family;
            setSocket((NetworkChannel) sc);
        } catch (IOException | RuntimeException e) {
            sc.close();
            throw e;
        }
    }

    /**
     * Serves {@code sock} from now on and joins the map: Python's {@code set_socket}. The channel
     * must already be in non-blocking mode (the constructors switch it for you). A previous
     * socket is released from the map, not closed.
     *
     * @throws IllegalArgumentException if {@code sock} is in blocking mode or not selectable
     */
    public void setSocket(NetworkChannel sock) {
        Objects.requireNonNull(sock, "sock");
        SelectableChannel sc = selectable(sock);
        if (sc.isBlocking()) {
            throw new IllegalArgumentException("the channel is in blocking mode and would stall the loop; "
                    + "call configureBlocking(false) first, or pass it to a Dispatcher constructor, which does");
        }
        attach(sc);
    }

    /** Serves any selectable channel: the common part of {@link #setSocket} and {@link FileDispatcher}. */
    void attach(SelectableChannel sc) {
        stopWatching(); // a previous channel is released, not closed: its fate is the caller's
        if (channel != null) {
            delChannel();
        }
        LeakDetection.adopted(sc);
        channel = sc;
        registration.attach(sc);
        closed = false;
        peerGone = false;
        if (family == null && sc instanceof NetworkChannel nc) {
            family = familyOf(nc);
        }
        addChannel();
        Object owner = leakOwner != null ? leakOwner.get() : null;
        leak = LeakDetection.watch(owner != null ? owner : this, this, sc, map);
    }

    /** True if leak detection watches this dispatcher (or its owner). For tests. */
    boolean leakWatched() {
        return leak != null;
    }

    private void stopWatching() {
        if (leak != null) {
            leak.disarm();
            leak = null;
        }
    }

    /**
     * Leak detection watches {@code owner} instead of this dispatcher: for a class that wraps a
     * dispatcher and is what its users hold (the coroutine layer's socket, say), while the map
     * holds the dispatcher. Should {@code owner} become unreachable while this dispatcher is open,
     * the leak is reported as {@code owner}'s and this dispatcher is closed on its loop (at the
     * map's next pass). The dispatcher must not hold {@code owner} strongly, or it never becomes
     * unreachable. Call it from the constructor, on the thread that creates the dispatcher.
     *
     * @param owner the object whose users must close it
     */
    protected final void watchLeaksOf(Object owner) {
        leakOwner = new WeakReference<>(Objects.requireNonNull(owner, "owner"));
        if (leak != null) {
            leak.disarm(); // watched already: the owner takes its place in the sample
            leak = LeakWatch.start(owner, this, channel, map);
        }
    }

    /** Joins the map (Python's {@code add_channel}); done for you by {@link #setSocket}. */
    public void addChannel() {
        if (channel == null) {
            throw new IllegalStateException("addChannel() without a socket: call createSocket() or setSocket() first");
        }
        map.add(this);
    }

    /**
     * Leaves the map (Python's {@code del_channel}) without closing the socket. The socket is
     * still this dispatcher's: dropped now with the socket open, leak detection reports it and
     * closes the socket, unless another dispatcher serves the socket by then (the hand-over
     * {@code delChannel()}, then {@code new SomeDispatcher(socket(), map)}). To give the socket to
     * other code, call {@link #releaseSocket()} instead.
     */
    public void delChannel() {
        map.remove(this);
        if (leak != null && !closed) {
            LeakDetection.released(channel, leak);
        }
    }

    /**
     * Leaves the map without closing the socket, as {@link #delChannel()}, and gives the socket
     * up: the caller owns it now (to serve it from blocking code, say), so leak detection no
     * longer watches it for this dispatcher. The dispatcher still refers to it ({@link #socket()}).
     */
    public void releaseSocket() {
        delChannel();
        stopWatching();
    }

    /** Sets {@code SO_REUSEADDR}, so a restarted server can bind its port at once. Failures are ignored, as in Python. */
    public void setReuseAddr() {
        reuseAddr = true;
        if (channel instanceof NetworkChannel nc) {
            try {
                nc.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            } catch (IOException | UnsupportedOperationException ignoredAsInPython) {
                // Unix-domain sockets have no such option; Python ignores the error too.
            }
        }
    }

    /**
     * Binds the socket to {@code address}. For a stream socket from {@link #createSocket()} the
     * bind happens now, so a port in use fails here; {@link #listen(int)} then listens there.
     *
     * @throws BindException naming the address if it is in use
     * @throws IllegalStateException if there is no socket yet
     */
    public void bind(SocketAddress address) throws IOException {
        Objects.requireNonNull(address, "address");
        addr = address; // set before binding, as Python does
        NetworkChannel nc = networkChannel("bind()");
        try {
            nc.bind(address);
        } catch (BindException e) {
            BindException clear = new BindException("cannot bind " + format(address) + ": " + e.getMessage()
                    + " (another socket holds it: pick another address, or port 0 for a free one)");
            clear.initCause(e);
            throw clear;
        }
    }

    /**
     * Listens with the system's backlog, {@link Asyncore#defaultBacklog()}: {@link #listen(int)}
     * for a caller that has no number in mind. Python's {@code listen} needs one.
     */
    public void listen() throws IOException {
        listen(0);
    }

    /**
     * Listens for connections on the bound address: Python's {@code listen}. The dispatcher is
     * accepting from here on (even if listening fails, as in Python).
     *
     * <p>The backlog is the kernel's queue of connections that completed their handshake and wait
     * for {@link #accept()}. When a burst of connects overflows it, Linux drops the handshake's
     * last packet and the client retries seconds later, or sees a reset: the documentation's
     * {@code listen(5)} suits a toy, not a server under load. A server with no number of its own
     * in mind should call {@link #listen()}, which follows the system.
     *
     * @param backlog the kernel's queue of unaccepted connections (the kernel caps it at its own
     *     limit, {@code somaxconn} on Linux); below 1 means {@link Asyncore#defaultBacklog()}, the
     *     system's limit (the JDK alone would use 50)
     * @throws IllegalStateException if {@link #bind} was not called first, or the socket is a datagram
     *     socket or connected
     */
    public void listen(int backlog) throws IOException {
        accepting = true;
        interestChanged();
        NetworkChannel nc = networkChannel("listen()");
        if (nc instanceof ServerSocketChannel ssc) {
            if (ssc.getLocalAddress() == null) {
                throw new IllegalStateException("listen() before bind(): call bind(address) first (port 0 picks a free port)");
            }
            return; // the JDK listens from bind() on
        }
        if (!(nc instanceof SocketChannel sc)) {
            throw new IllegalStateException("listen() needs a stream socket, and this dispatcher has a datagram socket");
        }
        SocketAddress local = sc.getLocalAddress();
        if (local == null) {
            throw new IllegalStateException("listen() before bind(): call bind(address) first (port 0 picks a free port)");
        }
        if (sc.isConnected() || sc.isConnectionPending()) {
            throw new IllegalStateException("listen() on a socket that is connected or connecting");
        }
        // Hand the address over: release the bound socket (now, not at the next select) and bind a listener there.
        delChannel();
        sc.close();
        map.releaseCancelledKeys();
        if (local instanceof UnixDomainSocketAddress unix) {
            Files.deleteIfExists(unix.getPath());
        }
        ServerSocketChannel ssc = ServerSocketChannel.open(family);
        try {
            ssc.configureBlocking(false);
            if (reuseAddr) {
                setReuseAddrOn(ssc);
            }
            ssc.bind(local, backlog < 1 ? Backlog.system() : backlog);
        } catch (IOException | RuntimeException e) {
            ssc.close();
            throw e;
        }
        attach(ssc);
    }

    private static void setReuseAddrOn(NetworkChannel nc) {
        try {
            nc.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        } catch (IOException | UnsupportedOperationException ignoredAsInPython) {
            // as in setReuseAddr()
        }
    }

    /** {@link #connect(SocketAddress)} to {@code host:port}, resolving the name now (blocking, as Python does). */
    public void connect(String host, int port) throws IOException {
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new UnknownHostException("cannot resolve host '" + host + "'");
        }
        connect(address);
    }

    /**
     * Starts connecting to {@code address}: Python's {@code connect}. Usually the connect is left
     * pending and the loop completes it ({@link #handleConnect()} runs on the first event); if it
     * completes at once (common for Unix-domain sockets) {@link #handleConnectEvent()} runs before
     * this method returns.
     *
     * <p>A connect that fails later (refused, unreachable) reaches {@link #handleError(Throwable)}
     * with the {@link IOException}, as in CPython; one that fails at once is thrown from here.
     */
    public void connect(SocketAddress address) throws IOException {
        Objects.requireNonNull(address, "address");
        NetworkChannel nc = networkChannel("connect()");
        connected = false;
        connecting = true;
        interestChanged();
        boolean done;
        if (nc instanceof SocketChannel sc) {
            done = sc.connect(address);
        } else if (nc instanceof DatagramChannel dc) {
            dc.connect(address);
            done = true;
        } else {
            throw new IllegalStateException("connect() on a listening socket");
        }
        addr = address;
        if (done) {
            handleConnectEvent();
        }
    }

    /**
     * Takes one connection from the listener: Python's {@code accept}.
     *
     * @return the connection, or {@code null} if none is waiting
     * @throws IllegalStateException if the dispatcher is not listening
     */
    public Accepted accept() throws IOException {
        if (!(channel instanceof ServerSocketChannel ssc)) {
            throw new IllegalStateException("accept() on a dispatcher that is not listening: call bind() and listen() first");
        }
        SocketChannel sc;
        try {
            sc = ssc.accept();
        } catch (IOException e) {
            if (Disconnects.isDisconnect(e) && ssc.isOpen()) {
                return null; // the peer gave up before we took it (ECONNABORTED): Python returns None too
            }
            throw e;
        }
        if (sc == null) {
            return null;
        }
        tookConnection = true;
        return new Accepted(sc, sc.getRemoteAddress());
    }

    // ---------------------------------------------------------------- data

    /**
     * Sends what the kernel takes now: Python's {@code send}.
     *
     * @return the bytes sent; 0 if the kernel buffer is full, the connect is still pending, or the
     *     peer went away (then {@link #handleClose()} has run)
     * @throws IllegalStateException if the dispatcher was closed or has no socket
     */
    public int send(byte[] data) throws IOException {
        return send(ByteBuffer.wrap(data));
    }

    /** {@link #send(byte[])} from a buffer: sends from its position and advances it by the count returned. */
    public int send(ByteBuffer data) throws IOException {
        Objects.requireNonNull(data, "data");
        writableChannel("send()");
        if (connecting && !connected) {
            return 0;
        }
        try {
            return registration.transport.write(data);
        } catch (IOException | RuntimeException e) {
            if (Disconnects.isDisconnect(e)) {
                peerGone = true;
                handleClose();
                return 0;
            }
            throw e;
        }
    }

    /**
     * Sends up to {@code count} bytes of {@code file}, from {@code position}, straight from the file
     * to the socket ({@link FileChannel#transferTo}: zero copy where the OS allows), under
     * {@link #send(byte[])}'s rules. The file's own position is not used or changed.
     *
     * @return the bytes sent; 0 if the kernel buffer is full, the connect is still pending, or the
     *     peer went away (then {@link #handleClose()} has run)
     * @throws IllegalStateException if the dispatcher was closed or has no socket
     * @throws IOException if reading the file fails (a closed file is not mistaken for a gone peer)
     */
    public long sendFile(FileChannel file, long position, long count) throws IOException {
        Objects.requireNonNull(file, "file");
        writableChannel("sendFile()");
        if (connecting && !connected) {
            return 0;
        }
        try {
            return registration.transport.transferFrom(file, position, count);
        } catch (IOException | RuntimeException e) {
            if (file.isOpen() && Disconnects.isDisconnect(e)) {
                peerGone = true;
                handleClose();
                return 0;
            }
            throw e;
        }
    }

    /**
     * {@link #send(ByteBuffer)} from several buffers in one gathering write (one system call),
     * under the same rules: 0 while the connect is pending, when the kernel buffer is full, or when
     * the peer went away (after {@link #handleClose()}). Each buffer's position advances by what
     * was taken from it.
     *
     * @return the bytes sent, from all buffers together
     * @throws IllegalStateException if the dispatcher was closed, has no socket, or its channel
     *     cannot gather
     */
    public long send(ByteBuffer[] data, int offset, int length) throws IOException {
        Objects.requireNonNull(data, "data");
        Objects.checkFromIndexSize(offset, length, data.length);
        WritableByteChannel ch = writableChannel("send()");
        if (!(ch instanceof GatheringByteChannel)) {
            throw new IllegalStateException("send() of several buffers on a channel that cannot gather: " + ch);
        }
        if (connecting && !connected) {
            return 0;
        }
        try {
            return registration.transport.write(data, offset, length);
        } catch (IOException | RuntimeException e) {
            if (Disconnects.isDisconnect(e)) {
                peerGone = true;
                handleClose();
                return 0;
            }
            throw e;
        }
    }

    /**
     * Receives up to {@code bufferSize} bytes: Python's {@code recv}. Reads through the loop's
     * shared buffer, so an idle connection holds no buffer.
     *
     * @return the bytes read; an empty array if nothing is available, or at end of stream or when
     *     the peer went away, in which cases {@link #handleClose()} has run first
     * @throws IllegalArgumentException if {@code bufferSize} is negative
     * @throws IllegalStateException if the dispatcher was closed or has no socket
     */
    public byte[] recv(int bufferSize) throws IOException {
        if (bufferSize < 0) {
            throw new IllegalArgumentException("bufferSize < 0: " + bufferSize);
        }
        ByteBuffer buf = map.readBuffer(bufferSize);
        int n = recv(buf);
        if (n <= 0) {
            return EMPTY;
        }
        byte[] out = new byte[n];
        buf.flip().get(out);
        return out;
    }

    /**
     * {@link #recv(int)} into a buffer.
     *
     * @return the bytes read, 0 if none is available, or -1 at end of stream or when the peer went
     *     away (after {@link #handleClose()})
     */
    public int recv(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        readableChannel("recv()");
        int n;
        try {
            n = registration.transport.read(dst);
        } catch (IOException | RuntimeException e) {
            if (Disconnects.isDisconnect(e)) {
                peerGone = true;
                handleClose();
                return -1;
            }
            throw e;
        }
        if (n < 0) {
            handleClose();
        }
        return n;
    }

    /**
     * Ends the output direction and leaves input open: {@code socket.shutdown(SHUT_WR)}. The peer
     * reads end of stream once it has read what was sent before; this dispatcher can still
     * receive. Bytes queued above the socket (a {@link DispatcherWithSend}'s queue) are not
     * flushed first: use {@code closeWhenDone()} for that.
     *
     * @throws IllegalStateException if the dispatcher was closed, has no socket, or is not a
     *     connected stream socket
     */
    public void shutdownOutput() throws IOException {
        requireOpen("shutdownOutput()");
        if (!(channel instanceof SocketChannel sc) || !sc.isConnected()) {
            throw new IllegalStateException("shutdownOutput() needs a connected stream socket, and this dispatcher serves "
                    + channel);
        }
        registration.transport.shutdownOutput();
    }

    // ---------------------------------------------------------------- TLS

    /** How long a TLS handshake may take unless {@link #startTls(SSLEngine, Duration)} says otherwise: 10 seconds. */
    public static final Duration DEFAULT_TLS_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Switches this dispatcher to TLS through {@code engine}, with a handshake timeout of
     * {@link #DEFAULT_TLS_HANDSHAKE_TIMEOUT}: see {@link #startTls(SSLEngine, Duration)}.
     */
    public void startTls(SSLEngine engine) throws IOException {
        startTls(engine, DEFAULT_TLS_HANDSHAKE_TIMEOUT);
    }

    /**
     * Switches this dispatcher to TLS: from now on every byte of {@link #send}, {@link #recv} and
     * {@link #sendFile} passes through {@code engine}, and the handlers do not change. Call it
     * before the connect completes, right after an accept, or in the middle of a plaintext stream
     * (STARTTLS). {@link Tls} makes engines the safe way (a client with SNI and host-name checks).
     *
     * <ul>
     *   <li>{@link #handleConnect()} still means the TCP connect completed; the handshake follows
     *       it, and {@link #handleTlsHandshake()} says when it is done.
     *   <li>Until then {@code send} takes nothing (it returns 0, as with a full socket) and
     *       {@code recv} finds nothing: {@link DispatcherWithSend} and {@code AsyncChat} keep such
     *       writes queued and send them after the handshake, in order.
     *   <li>Output a subclass queued before this call ({@link #takePlaintextBeforeTls()}) goes out
     *       in plaintext first, as STARTTLS needs. Input that arrives in plaintext after it is never
     *       handed over as if it came through TLS: the engine refuses it and the connection fails.
     *   <li>A handshake that does not complete within {@code handshakeTimeout}, and every TLS
     *       failure (an untrusted certificate, a host-name mismatch, no common protocol or cipher,
     *       an expired certificate, a plaintext peer), reaches {@link #handleError(Throwable)} as one
     *       {@link javax.net.ssl.SSLException} whose message says what was wrong.
     *   <li>The peer's close_notify is the end of the stream ({@code recv} returns empty after
     *       {@link #handleClose()}); an end of stream without it is an
     *       {@link javax.net.ssl.SSLException} saying the data may be truncated. It is answered with
     *       close_notify at once, as TLS 1.2 requires, under TLS 1.3 too: sends fail after it, so a
     *       protocol reads its peer's last answer before it sends close_notify itself.
     *       {@link #shutdownOutput()} sends close_notify and leaves input open;
     *       {@link #close()} sends it as far as the socket takes it at once, then closes without
     *       waiting for the peer's answer (TLS 1.3 peers may never send one).
     * </ul>
     *
     * @param engine the engine, in client or server mode, not yet used
     * @param handshakeTimeout how long the handshake (after the TCP connect, for a client that calls
     *     this before connecting: from this call) may take
     * @throws IllegalStateException if the dispatcher is closed, has no stream socket, listens, or
     *     already runs TLS
     * @throws javax.net.ssl.SSLException if the engine cannot start a handshake
     */
    public void startTls(SSLEngine engine, Duration handshakeTimeout) throws IOException {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshakeTimeout must be positive, got " + handshakeTimeout);
        }
        requireOpen("startTls()");
        if (!(channel instanceof SocketChannel sc) || accepting) {
            throw new IllegalStateException("startTls() needs a stream socket that is connected or connecting; "
                    + "this dispatcher serves " + channel + (accepting ? " and listens (start TLS on each accepted connection)" : ""));
        }
        if (registration.transport instanceof TlsTransport) {
            throw new IllegalStateException("startTls() on a dispatcher that already runs TLS");
        }
        TlsTransport tls = new TlsTransport(engine, sc, registration, handshakeTimeout, takePlaintextBeforeTls());
        registration.transport = tls;
        tls.begin();
    }

    /**
     * Output queued above the socket when {@link #startTls} is called, which must go out in
     * plaintext before the handshake; the dispatcher gives it up. {@code null} here; a subclass with
     * a queue of its own ({@link DispatcherWithSend}, {@code AsyncChat}) returns its queued bytes.
     */
    protected ByteBuffer takePlaintextBeforeTls() {
        return null;
    }

    /**
     * The TLS handshake completed: {@link #tlsSession()} now names the protocol, cipher and peer.
     * Sends queued during the handshake go out next. The default does nothing.
     */
    public void handleTlsHandshake() throws IOException {
    }

    /** True once {@link #startTls} was called (and no new socket was set since). */
    public boolean isTls() {
        return registration.transport instanceof TlsTransport;
    }

    /**
     * The TLS session once the handshake completed; {@code null} before that or without TLS.
     */
    public SSLSession tlsSession() {
        return registration.transport instanceof TlsTransport t && !t.isHandshaking() ? t.engine().getSession() : null;
    }

    /** Called by the transport, outside its engine calls, when the handshake completes. */
    final void tlsHandshakeDone() throws IOException {
        handleTlsHandshake();
    }

    /**
     * Receives one datagram: the {@code recvfrom} of a UDP dispatcher.
     *
     * @return the sender, or {@code null} if no datagram is waiting
     */
    public SocketAddress recvFrom(ByteBuffer dst) throws IOException {
        return datagramChannel("recvFrom()").receive(dst);
    }

    /**
     * Sends one datagram to {@code target}: the {@code sendto} of a UDP dispatcher.
     *
     * @return the bytes sent: all of them, or 0 if the kernel buffer is full
     */
    public int sendTo(ByteBuffer src, SocketAddress target) throws IOException {
        return datagramChannel("sendTo()").send(src, target);
    }

    /**
     * Closes the socket and leaves the map: Python's {@code close}. Does not call
     * {@link #handleClose()}. Idempotent, and safe on a dispatcher that never had a socket.
     */
    public void close() {
        connected = false;
        accepting = false;
        connecting = false;
        if (channel == null || closed) {
            return; // never had a socket, or closed already
        }
        closed = true;
        stopWatching();
        if (registration.transport instanceof TlsTransport tls) {
            tls.closeGracefully();
        }
        delChannel();
        try {
            channel.close();
        } catch (IOException e) {
            SocketMap.LOGGER.log(System.Logger.Level.WARNING, "closing the socket of " + this + " failed", e);
        }
        map.releaseCancelledKeys();
    }

    /**
     * True once a send or receive found that the peer went away (reset, broken pipe), after which
     * {@link #handleClose()} ran: nothing sent from now on can arrive.
     */
    protected final boolean peerWentAway() {
        return peerGone;
    }

    /** True once {@link #close()} has run (and no new socket was set since). */
    public boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- events (called by the loop)

    /** A read event: accept, complete a connect, or read, as Python's {@code handle_read_event}. */
    public void handleReadEvent() throws IOException {
        if (accepting) {
            handleAcceptEvent();
        } else if (!connected) {
            if (connecting) {
                handleConnectEvent();
            }
            handleRead();
        } else {
            handleRead();
        }
    }

    /** A write event: complete a pending connect first, then {@link #handleWrite()}. Ignored on a listener. */
    public void handleWriteEvent() throws IOException {
        if (accepting) {
            return;
        }
        if (!connected && connecting) {
            handleConnectEvent();
        }
        handleWrite();
    }

    /** An out-of-band event; never raised by the loop, since NIO cannot receive out-of-band data. */
    public void handleExptEvent() throws IOException {
        handleExpt();
    }

    /**
     * Completes a pending connect and calls {@link #handleConnect()}; only then is the dispatcher
     * connected, as in Python. A failed connect throws its {@link IOException} (the loop hands it to
     * {@link #handleError(Throwable)}).
     */
    public void handleConnectEvent() throws IOException {
        if (channel instanceof SocketChannel sc && sc.isConnectionPending() && !sc.finishConnect()) {
            return; // not yet
        }
        handleConnect();
        if (!closed) {
            connected = true;
            connecting = false;
            interestChanged();
        }
    }

    /**
     * A listener is ready: calls {@link #handleAccept()}, and again while it keeps taking
     * connections (up to 64 per event), so a burst of connects drains the kernel backlog in one
     * pass. Python calls {@code handle_accept} once per event.
     */
    public void handleAcceptEvent() throws IOException {
        int budget = ACCEPTS_PER_EVENT;
        do {
            tookConnection = false;
            handleAccept();
        } while (tookConnection && accepting && !closed && --budget > 0);
    }

    // ---------------------------------------------------------------- handlers (override these)

    /** Data may be read. Default: logs {@code "unhandled read event"} as a warning. */
    public void handleRead() throws IOException {
        logInfo("unhandled read event", "warning");
    }

    /** Data may be written. Default: logs {@code "unhandled write event"} as a warning. */
    public void handleWrite() throws IOException {
        logInfo("unhandled write event", "warning");
    }

    /** Out-of-band data; never called by the loop (see the class notes). */
    public void handleExpt() throws IOException {
        logInfo("unhandled incoming priority event", "warning");
    }

    /** The connect completed; {@link #isConnected()} is still false here, as in Python. */
    public void handleConnect() throws IOException {
        logInfo("unhandled connect event", "warning");
    }

    /** The peer closed or went away. Default: logs {@code "unhandled close event"} and {@link #close()}s. */
    public void handleClose() {
        logInfo("unhandled close event", "warning");
        close();
    }

    /** A listener may accept: the default takes one connection and passes it to {@link #handleAccepted}. */
    public void handleAccept() throws IOException {
        Accepted pair = accept();
        if (pair != null) {
            handleAccepted(pair.sock(), pair.addr());
        }
    }

    /**
     * A connection was accepted. The default closes it (the peer sees end of stream) and logs
     * {@code "unhandled accepted event"}. Override it to wrap {@code sock} in a dispatcher.
     */
    public void handleAccepted(SocketChannel sock, SocketAddress addr) throws IOException {
        sock.close();
        logInfo("unhandled accepted event", "warning");
    }

    /**
     * A handler threw {@code error}. The default logs one line of type {@code "error"} with a
     * {@linkplain Asyncore#compactTraceback(Throwable) compact traceback}, then calls
     * {@link #handleClose()}.
     */
    public void handleError(Throwable error) {
        String self;
        try {
            self = toString();
        } catch (RuntimeException e) {
            self = "<toString() failed for object at 0x" + Integer.toHexString(System.identityHashCode(this)) + ">";
        }
        logInfo("uncaptured exception, closing channel " + self + " (" + Asyncore.compactTraceback(error) + ")", "error");
        handleClose();
    }

    // ---------------------------------------------------------------- logging

    /** Logs {@code message} at {@code INFO} through {@link System.Logger} {@code io.asyncore}: Python's {@code log}. */
    public void log(String message) {
        SocketMap.LOGGER.log(System.Logger.Level.INFO, "log: " + message);
    }

    /**
     * Logs {@code message} unless {@code type} is in {@link #ignoreLogTypes()}: Python's
     * {@code log_info}. Types {@code "error"} and {@code "warning"} map to those levels, anything
     * else to {@code INFO}. Override it to route a dispatcher's messages elsewhere.
     */
    public void logInfo(String message, String type) {
        if (ignoreLogTypes.contains(type)) {
            return;
        }
        System.Logger.Level level = switch (type) {
            case "error" -> System.Logger.Level.ERROR;
            case "warning" -> System.Logger.Level.WARNING;
            default -> System.Logger.Level.INFO;
        };
        SocketMap.LOGGER.log(level, type + ": " + message);
    }

    /** Like Python's repr: {@code <com.example.Client connected 127.0.0.1:37 at 0x1b6d3586>}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("<").append(getClass().getName());
        if (accepting && addr != null) {
            sb.append(" listening");
        } else if (connected) {
            sb.append(" connected");
        }
        if (addr != null) {
            sb.append(' ').append(format(addr));
        }
        return sb.append(" at 0x").append(Integer.toHexString(System.identityHashCode(this))).append('>').toString();
    }

    static String format(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            String host = i.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + i.getPort();
        }
        if (a instanceof UnixDomainSocketAddress u) {
            return "'" + u.getPath() + "'";
        }
        return String.valueOf(a);
    }

    // ---------------------------------------------------------------- package-private helpers

    void setConnected(boolean connected) {
        this.connected = connected;
        interestChanged();
    }

    private NetworkChannel networkChannel(String what) {
        requireOpen(what);
        if (!(channel instanceof NetworkChannel nc)) {
            throw new IllegalStateException(what + " needs a socket, and this dispatcher serves " + channel);
        }
        return nc;
    }

    private ReadableByteChannel readableChannel(String what) {
        requireOpen(what);
        if (!(channel instanceof ReadableByteChannel ch)) {
            throw new IllegalStateException(what + " on a channel that cannot be read: " + channel);
        }
        return ch;
    }

    private WritableByteChannel writableChannel(String what) {
        requireOpen(what);
        if (!(channel instanceof WritableByteChannel ch)) {
            throw new IllegalStateException(what + " on a channel that cannot be written: " + channel);
        }
        return ch;
    }

    private DatagramChannel datagramChannel(String what) {
        requireOpen(what);
        if (!(channel instanceof DatagramChannel dc)) {
            throw new IllegalStateException(what + " needs a datagram socket: createSocket(family, SocketType.DATAGRAM)");
        }
        return dc;
    }

    /** Fails if the dispatcher was closed or has no socket, naming the call and what to do. */
    void requireOpen(String what) {
        if (closed) {
            throw new IllegalStateException(what + " on a closed dispatcher " + this
                    + ": it was closed (by close(), or when its peer went away); make a new dispatcher");
        }
        if (channel == null) {
            throw new IllegalStateException(what + " on a dispatcher without a socket: call createSocket() first");
        }
    }

    private static ProtocolFamily familyOf(NetworkChannel nc) {
        try {
            SocketAddress local = nc.getLocalAddress();
            if (local != null) {
                return Asyncore.protocolFamily(local);
            }
        } catch (IOException | IllegalArgumentException e) {
            // unbound, closed or of another kind: fall through
        }
        return StandardProtocolFamily.INET6;
    }
}
