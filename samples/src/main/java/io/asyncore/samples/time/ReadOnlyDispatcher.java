package io.asyncore.samples.time;

import io.asyncore.Dispatcher;
import io.asyncore.SocketMap;

/**
 * A time dispatcher that never wants write events (the server talks first, or replies from
 * {@code handleRead()}), and says so once: its readable()/writable() answers never change, so the
 * loop need not ask them every pass.
 */
abstract class ReadOnlyDispatcher extends Dispatcher {
    ReadOnlyDispatcher(SocketMap map) {
        super(map);
    }

    /** Its answers never change: let the loop skip asking. */
    @Override
    protected boolean announcesInterest() {
        return true;
    }

    /** Nothing to write from a write event. */
    @Override
    public boolean writable() {
        return false;
    }
}
