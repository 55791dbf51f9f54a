package io.asyncore.samples.cli;

import io.asyncore.LoopGroup;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Waits for a server's {@link LoopGroup} until the JVM is asked to stop (Ctrl-C, SIGTERM): a
 * shutdown hook stops the group (the listener closes, connections get a short grace period, then
 * the rest closes) and waits for it to end. The group counterpart of {@link ServerRunner}.
 */
final class GroupRunner {
    private static final Duration GRACE = Duration.ofSeconds(2);
    private static final long STOP_WAIT_SECONDS = 5;

    private GroupRunner() {
    }

    static void runUntilStopped(LoopGroup group, String name, PrintStream out) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            group.shutdown(GRACE);
            try {
                stopped.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name + " shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            while (!group.awaitTermination(Duration.ofDays(1))) {
                // the group ends only when stopped
            }
        } finally {
            out.println(name + " stopped");
            out.flush();
            stopped.countDown();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is what stopped the group
        }
    }
}
