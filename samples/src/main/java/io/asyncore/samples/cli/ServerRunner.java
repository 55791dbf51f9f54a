package io.asyncore.samples.cli;

import io.asyncore.Asyncore;
import io.asyncore.SocketMap;
import io.asyncore.samples.Failures;
import java.io.PrintStream;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Runs a server's map on the calling thread until the JVM is asked to stop (Ctrl-C, SIGTERM):
 * a shutdown hook closes every dispatcher from the loop thread and waits for the loop to end.
 */
final class ServerRunner {
    private static final long STOP_WAIT_SECONDS = 5;

    private ServerRunner() {
    }

    /** Creates a server's dispatchers in a map and says where it listens. */
    interface Starter {
        /** Creates the dispatchers in {@code map} and returns the "listening on" line. */
        String start(SocketMap map) throws Exception;
    }

    /**
     * Starts a server with {@code starter} in a new map, prints its line, and serves until stopped;
     * a bind failure on {@code port} is explained ({@link Ports#explain}).
     *
     * @return the exit code, 0
     */
    static int serve(String name, int port, PrintStream out, Starter starter) throws Exception {
        SocketMap map = new SocketMap();
        try {
            out.println(starter.start(map));
            out.flush();
        } catch (Exception e) {
            map.close();
            throw Ports.explain(e, port);
        }
        runUntilStopped(map, name, out);
        map.close();
        return 0;
    }

    /** Prints "incoming connection from PEER". */
    static Consumer<SocketAddress> printAccepted(PrintStream out) {
        return addr -> out.println("incoming connection from " + Failures.format(addr));
    }

    /** Prints "connection from PEER failed: WHY" in one line. */
    static BiConsumer<SocketAddress, Throwable> printFailed(PrintStream out) {
        return (addr, e) -> out.println("connection from " + Failures.format(addr) + " failed: " + Failures.describe(e, null));
    }

    static void runUntilStopped(SocketMap map, String name, PrintStream out) {
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            map.execute(() -> Asyncore.closeAll(map, true)); // an empty map ends the loop
            try {
                stopped.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name + " shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Asyncore.loop(Duration.ofSeconds(30), false, map);
        } finally {
            out.println(name + " stopped");
            out.flush();
            stopped.countDown();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is what ended the loop
        }
    }
}
