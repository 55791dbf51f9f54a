package io.asyncore;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.util.Locale;

/**
 * Which failures mean "the peer went away": Python's {@code _DISCONNECTED} errno set
 * (ECONNRESET, ENOTCONN, ESHUTDOWN, ECONNABORTED, EPIPE, EBADF). The JDK reports no errno, so the
 * mapping is by exception type and, for plain {@link IOException}s, by the kernel's message.
 */
final class Disconnects {
    private static final String[] MESSAGES = {
        "connection reset",        // ECONNRESET
        "broken pipe",             // EPIPE
        "connection aborted",      // ECONNABORTED
        "connection was aborted",  // ECONNABORTED, other wording
        "not connected",           // ENOTCONN
        "bad file descriptor",     // EBADF
        "cannot send after",       // ESHUTDOWN
    };

    private Disconnects() {
    }

    static boolean isDisconnect(Throwable t) {
        if (t instanceof ClosedChannelException || t instanceof NotYetConnectedException) {
            return true;
        }
        if (!(t instanceof IOException) || t instanceof ConnectException) {
            return false;
        }
        String message = t.getMessage();
        if (message == null) {
            return false;
        }
        String lower = message.toLowerCase(Locale.ROOT);
        for (String m : MESSAGES) {
            if (lower.contains(m)) {
                return true;
            }
        }
        return false;
    }
}
