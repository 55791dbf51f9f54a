package io.asyncore;

import io.asyncore.internal.ChannelTransport;
import io.asyncore.internal.Transport;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * The loop's side of one dispatcher: its selection key and the bookkeeping of a {@link SocketMap}
 * pass, and the {@link Transport} its bytes and readiness go through. The dispatcher keeps its
 * socket-level state (connected, accepting...) and holds one reference to this; only the map
 * writes these fields.
 */
final class Registration implements Transport.Host {
    final Dispatcher dispatcher;
    private final SocketMap map;

    /** The channel the loop registers; set when the dispatcher is given a socket. */
    SelectableChannel channel;
    /** Where the dispatcher's bytes meet the channel. */
    Transport transport;

    SelectionKey key;
    /** The interest set registered with the selector. */
    int ops;
    /** What the dispatcher itself asked for at the last refresh, before the transport added its own needs. */
    int applicationOps;
    boolean inMap;
    /** Asked readable()/writable() every pass: the dispatcher overrides them without announcing. */
    boolean polled;
    /** Queued for a refresh of its interest before the next wait. */
    boolean dirty;
    /** Queued for a read event without the selector: its transport holds unread input. */
    boolean buffered;
    int polledIndex = -1;
    /** A pending connect whose dispatcher is writable(): OP_CONNECT then counts as a write event. */
    boolean connectWantsWrite;

    Registration(Dispatcher dispatcher, SocketMap map) {
        this.dispatcher = dispatcher;
        this.map = map;
    }

    /** Serves {@code sc} from now on, through a plain transport. */
    void attach(SelectableChannel sc) {
        channel = sc;
        transport = new ChannelTransport(sc);
    }

    /**
     * The selector interest for this pass: Python's rules for which list a dispatcher joins
     * ({@code readable()} and {@code writable()}, asked once each), then what the transport adds.
     */
    int interest() {
        Dispatcher d = dispatcher;
        boolean r = d.readable();
        boolean w = d.writable();
        int wanted;
        if (d.listening()) {
            wanted = r ? SelectionKey.OP_ACCEPT : 0; // a listener is never write-interested
        } else if (d.connectPending() && channel instanceof SocketChannel) {
            connectWantsWrite = w; // the JDK reports nothing but OP_CONNECT until the connect is done
            wanted = r || w ? SelectionKey.OP_CONNECT : 0;
        } else {
            wanted = (r ? SelectionKey.OP_READ : 0) | (w ? SelectionKey.OP_WRITE : 0);
        }
        applicationOps = wanted;
        return transport.interestOps(wanted) & channel.validOps();
    }

    @Override
    public void interestChanged() {
        if (inMap && !polled) {
            map.markDirty(this);
        }
    }

    @Override
    public void inputBuffered() {
        if (inMap) {
            map.markBuffered(this);
        }
    }

    @Override
    public String toString() {
        return "Registration[" + dispatcher + ", ops=" + ops + "]";
    }
}
