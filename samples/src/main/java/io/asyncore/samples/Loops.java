package io.asyncore.samples;

import io.asyncore.SocketMap;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Drives a map on the calling thread until a sample's result is known. */
public final class Loops {
    private Loops() {
    }

    /**
     * Runs passes of {@code map} on the calling thread until {@code result} completes, then returns
     * it. If it has not completed within {@code limit}, it is completed exceptionally with a
     * {@link SampleException} naming {@code what}, so no caller ever hangs.
     *
     * <p>Threading: the calling thread becomes the loop thread of {@code map} while this runs.
     */
    public static <T> CompletableFuture<T> runUntilDone(SocketMap map, CompletableFuture<T> result, Duration limit,
            String what) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!result.isDone()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                result.completeExceptionally(new SampleException(what + " gave no result within "
                        + limit.toSeconds() + " s"));
                break;
            }
            map.runPass(Duration.ofNanos(Math.min(left, Duration.ofMillis(200).toNanos())), false);
        }
        return result;
    }
}
