package io.asyncore.samples;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns what a handler caught into the one-line message a user of the samples reads. */
public final class Failures {
    private Failures() {
    }

    /** A one-line description of {@code error} met while talking to {@code peer} (may be null). */
    public static String describe(Throwable error, SocketAddress peer) {
        Throwable e = unwrap(error);
        String where = peer == null ? "" : " " + format(peer);
        if (e instanceof ConnectException) {
            return "cannot connect to" + where + ": " + message(e) + " (is the server running on that port?)";
        }
        if (e instanceof NoRouteToHostException) {
            return "cannot reach" + where + ": " + message(e);
        }
        if (e instanceof UnknownHostException) {
            return message(e) + " (check the host name)";
        }
        if (e instanceof java.io.IOException && e.getClass().getPackageName().startsWith("io.asyncore.samples")) {
            return message(e); // our own messages are already complete
        }
        return message(e) + (where.isEmpty() ? "" : " (talking to" + where + ")");
    }

    private static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return m.replace('\n', ' ').replace('\r', ' ');
    }

    public static String format(SocketAddress a) {
        if (a instanceof java.net.InetSocketAddress i) {
            String host = i.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + i.getPort();
        }
        return String.valueOf(a);
    }
}
