package io.asyncore.samples.cli;

import io.asyncore.samples.SampleException;
import java.net.BindException;
import java.net.SocketException;

/** Port checks and bind errors in words a user can act on. */
final class Ports {
    private Ports() {
    }

    static void check(int port) throws SampleException {
        if (port < 0 || port > 65535) {
            throw new SampleException("--port " + port + " is out of range: use 1 to 65535, or 0 for a free port");
        }
    }

    static Exception explain(Exception e, int port) {
        if (e instanceof BindException || e instanceof SocketException && String.valueOf(e.getMessage()).contains("ermission")) {
            String hint = port > 0 && port < 1024 ? " (ports below 1024 need root: try --port " + (8000 + port) + ")"
                    : " (pick another --port, or 0 for a free one)";
            return new SampleException("cannot listen on port " + port + ": " + e.getMessage() + hint);
        }
        return e;
    }
}
