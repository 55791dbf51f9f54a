package io.asyncore.samples.cli;

import io.asyncore.Asyncore;
import io.asyncore.SocketMap;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a server's map on the calling thread until the JVM is asked to stop (Ctrl-C, SIGTERM):
 * a shutdown hook closes every dispatcher from the loop thread and waits for the loop to end.
 */
final class ServerRunner {
    private static final long STOP_WAIT_SECONDS = 5;

    private ServerRunner() {
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
