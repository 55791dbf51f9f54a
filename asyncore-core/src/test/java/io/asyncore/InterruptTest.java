package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Interrupting the loop thread leaves the loop instead of spinning on a selector that returns at once. */
@Timeout(30)
class InterruptTest {
    @Test
    void interruptingTheLoopThreadLeavesTheLoopWithExitNowAndKeepsTheFlag() throws Exception {
        try (SocketMap map = new SocketMap()) {
            Dispatcher idle = Servers.idle(map);
            CountDownLatch running = new CountDownLatch(1);
            map.execute(running::countDown);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            CompletableFuture<Boolean> flagAfter = new CompletableFuture<>();
            Thread loop = new Thread(() -> {
                try {
                    Asyncore.loop(Duration.ofSeconds(60), false, map);
                } catch (Throwable t) {
                    thrown.set(t);
                }
                flagAfter.complete(Thread.currentThread().isInterrupted());
            });
            loop.start();
            assertTrue(running.await(10, TimeUnit.SECONDS));
            loop.interrupt();
            assertTrue(flagAfter.get(10, TimeUnit.SECONDS), "the interrupt status is left set");
            assertTrue(thrown.get() instanceof ExitNow, "left with ExitNow: " + thrown.get());
            assertEquals(1, map.size(), "the dispatchers stay as they were");
            assertFalse(idle.isClosed());
        }
    }
}
