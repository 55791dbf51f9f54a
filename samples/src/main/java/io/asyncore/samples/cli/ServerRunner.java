package io.asyncore.samples.cli;

import io.asyncore.Asyncore;
import io.asyncore.LoopGroup;
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
 * Runs a server until the JVM is asked to stop (Ctrl-C, SIGTERM): a shutdown hook stops it and
 * waits for it to end. A map runs on the calling thread and stops by closing every dispatcher from
 * the loop thread; a {@link LoopGroup} runs on its own threads and stops as a group does (the
 * listeners close, connections get a short grace period, then the rest closes).
 */
final class ServerRunner {
    private static final long STOP_WAIT_SECONDS = 5;
    private static final Duration GROUP_GRACE = Duration.ofSeconds(2);

    private ServerRunner() {
    }

    /** What runs until the server stops, on the calling thread. */
    private interface Run {
        void run() throws InterruptedException;
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
        try {
            runUntilStopped(() -> map.execute(() -> Asyncore.closeAll(map, true)), // an empty map ends the loop
                    () -> Asyncore.loop(Duration.ofSeconds(30), false, map), name, out);
        } catch (InterruptedException e) {
            throw new AssertionError("the loop does not wait interruptibly", e);
        }
    }

    static void runUntilStopped(LoopGroup group, String name, PrintStream out) throws InterruptedException {
        runUntilStopped(() -> group.shutdown(GROUP_GRACE), () -> {
            while (!group.awaitTermination(Duration.ofDays(1))) {
                // the group ends only when stopped
            }
        }, name, out);
    }

    private static void runUntilStopped(Runnable stop, Run run, String name, PrintStream out) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.run();
            try {
                stopped.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name + " shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            run.run();
        } finally {
            out.println(name + " stopped");
            out.flush();
            stopped.countDown();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is what ended the server
        }
    }
}
