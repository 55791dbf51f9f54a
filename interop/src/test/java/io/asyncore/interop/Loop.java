package io.asyncore.interop;

import static org.junit.jupiter.api.Assertions.fail;

import io.asyncore.Asyncore;
import io.asyncore.SocketMap;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Runs the loop on the test's thread until a condition holds, bounded in time. */
final class Loop {
    private Loop() {
    }

    /**
     * Runs single passes of {@code map} until {@code done} holds; fails after
     * {@link ExternalPeer#WAIT} with {@code what} and {@code context} (the peers' output) in the message.
     */
    static void until(SocketMap map, String what, BooleanSupplier done, Supplier<String> context) {
        long deadline = System.nanoTime() + ExternalPeer.WAIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + ExternalPeer.WAIT.toSeconds() + " s: " + what + "\n" + context.get());
            }
            Asyncore.loop(Duration.ofMillis(20), false, map, 1);
        }
    }
}
