package io.asyncore.reliability;

import io.asyncore.ExitNow;
import io.asyncore.SocketMap;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a SocketMap's loop on a thread of its own for a test; {@link #close()} stops it and closes the map. */
final class BackgroundLoop implements AutoCloseable {
    final SocketMap map = new SocketMap();
    private final Thread thread;
    private final CompletableFuture<Throwable> ended = new CompletableFuture<>();

    BackgroundLoop(String name) {
        thread = new Thread(() -> {
            try {
                while (true) {
                    map.runPass(Duration.ofSeconds(1), false);
                }
            } catch (ExitNow stop) {
                ended.complete(null);
            } catch (Throwable t) {
                ended.complete(t);
            }
        }, name);
        thread.start();
    }

    /** Runs {@code task} on the loop thread and returns its result. */
    <T> T call(Callable<T> task) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        map.execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f.get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        map.execute(() -> {
            map.close();
            throw new ExitNow("test done");
        });
        Throwable t = ended.get(30, TimeUnit.SECONDS);
        if (t != null) {
            throw new AssertionError("the loop thread failed", t);
        }
    }
}
