package io.asyncore.benchmarks.server;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Blocking sockets, one virtual thread per connection (see {@link BlockingEcho}). Needs JDK 21+;
 * the module compiles for Java 17, so the executor is looked up reflectively. The carrier pool has
 * one thread per available CPU: one when run.sh pins the server to CPU 0.
 */
public final class VirtualThreadEchoServer {
    private static final String NAME = "VirtualThreadEchoServer";

    private VirtualThreadEchoServer() {
    }

    public static void main(String[] args) throws IOException {
        BlockingEcho.serve(NAME, args, virtualThreadPerTask());
    }

    private static ExecutorService virtualThreadPerTask() {
        try {
            return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (NoSuchMethodException e) {
            System.err.println(NAME + ": this JDK (" + Runtime.version() + ") has no virtual threads; run it on JDK 21 or newer");
            System.exit(2);
            return null;
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot make a virtual-thread executor on JDK " + Runtime.version(), e);
        }
    }
}
