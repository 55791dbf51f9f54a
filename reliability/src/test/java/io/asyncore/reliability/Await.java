package io.asyncore.reliability;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting on a condition with a deadline, polling it; never a bare sleep. */
final class Await {
    private static final long POLL_NANOS = Duration.ofMillis(10).toNanos();

    private Await() {
    }

    /**
     * Polls {@code condition} every 10 ms until it holds.
     *
     * @throws AssertionError after {@code limit}, with {@code state} describing what was seen last
     */
    static void until(String what, Duration limit, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what + ": not within " + limit.toSeconds() + " s; " + state.get());
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /** A counter that has stopped moving: it read the same for {@code quiet} in a row. */
    static final class Stalled implements BooleanSupplier {
        private final java.util.function.LongSupplier counter;
        private final long quietNanos;
        private long last = Long.MIN_VALUE;
        private long since;

        Stalled(java.util.function.LongSupplier counter, Duration quiet) {
            this.counter = counter;
            this.quietNanos = quiet.toNanos();
        }

        @Override
        public boolean getAsBoolean() {
            long now = System.nanoTime();
            long value = counter.getAsLong();
            if (value != last) {
                last = value;
                since = now;
                return false;
            }
            return now - since >= quietNanos;
        }
    }
}
