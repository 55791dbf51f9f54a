package io.asyncore.benchmarks.server;

import java.io.IOException;

/** Blocking sockets, one platform thread per connection (see {@link BlockingEcho}). */
public final class PlatformThreadEchoServer {
    private static final String NAME = "PlatformThreadEchoServer";

    private PlatformThreadEchoServer() {
    }

    public static void main(String[] args) throws IOException {
        BlockingEcho.serve(NAME, args, task -> {
            Thread t = new Thread(task, "echo");
            t.setDaemon(true);
            t.start();
        });
    }
}
