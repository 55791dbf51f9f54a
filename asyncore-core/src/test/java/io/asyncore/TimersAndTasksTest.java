package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.testing.RunLoop;
import io.asyncore.testing.SocketPairs;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SocketMap.callLater timers and SocketMap.execute tasks. */
@Timeout(60)
class TimersAndTasksTest {
    private final SocketMap map = new SocketMap();

    @AfterEach
    void tearDown() {
        map.close();
    }

    private Dispatcher idle() throws IOException {
        return Servers.idle(map);
    }

    @Test
    void timersRunInDeadlineOrderAndNeverBeforeTheirDelay() throws IOException {
        idle();
        List<Integer> order = new ArrayList<>();
        long[] ranAt = new long[3];
        long start = System.nanoTime();
        int[] delays = {30, 10, 20};
        for (int i = 0; i < 3; i++) {
            int which = i;
            map.callLater(Duration.ofMillis(delays[i]), () -> {
                order.add(delays[which]);
                ranAt[which] = System.nanoTime();
            });
        }
        RunLoop.until(map, false, () -> order.size() == 3);
        assertEquals(List.of(10, 20, 30), order);
        for (int i = 0; i < 3; i++) {
            assertTrue(ranAt[i] - start >= TimeUnit.MILLISECONDS.toNanos(delays[i]), "timer " + delays[i] + " ran early");
        }
    }

    @Test
    void aPassWaitsOnlyUntilTheNextTimerNotTheWholeTimeout() throws IOException {
        idle();
        AtomicInteger ran = new AtomicInteger();
        map.callLater(Duration.ofMillis(20), ran::incrementAndGet);
        long start = System.nanoTime();
        Asyncore.poll(Duration.ofSeconds(60), map);
        long elapsed = System.nanoTime() - start;
        assertEquals(1, ran.get(), "the timer ran in the pass that waited for it");
        assertTrue(elapsed < TimeUnit.SECONDS.toNanos(30), "the pass waited for the 60 s timeout");
    }

    @Test
    void anIdlePassWaitsForItsTimeoutWithoutSpinning() throws IOException {
        idle();
        long start = System.nanoTime();
        Asyncore.loop(Duration.ofMillis(50), false, map, 3);
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(140),
                "three idle passes of 50 ms returned early");
    }

    @Test
    void aCancelledTimerNeverRuns() throws IOException {
        idle();
        AtomicInteger ran = new AtomicInteger();
        TimerHandle h = map.callLater(Duration.ofMillis(10), ran::incrementAndGet);
        CountDownLatch later = new CountDownLatch(1);
        map.callLater(Duration.ofMillis(30), later::countDown);
        assertTrue(h.cancel());
        assertFalse(h.cancel(), "a second cancel reports nothing to cancel");
        RunLoop.until(map, false, () -> later.getCount() == 0);
        assertEquals(0, ran.get());
        assertTrue(h.isCancelled() && h.isDone());
    }

    @Test
    void timersDoNotKeepTheLoopRunning() {
        AtomicInteger ran = new AtomicInteger();
        map.callLater(Duration.ofSeconds(5), ran::incrementAndGet);
        long start = System.nanoTime();
        Asyncore.loop(Duration.ofSeconds(5), false, map);
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(4), "loop() waited on an empty map");
        assertEquals(0, ran.get());
    }

    @Test
    void runPassWaitsForATimerEvenOnAnEmptyMap() {
        AtomicInteger ran = new AtomicInteger();
        map.callLater(Duration.ofMillis(20), ran::incrementAndGet);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int passes = 0;
        while (ran.get() == 0 && System.nanoTime() < deadline) {
            map.runPass(Duration.ofSeconds(10), false);
            passes++;
        }
        assertEquals(1, ran.get());
        assertTrue(passes <= 3, "runPass spun instead of waiting: " + passes + " passes");
    }

    @Test
    void aTimerThatReArmsItselfWithoutDelayRunsOncePerPass() throws IOException {
        idle();
        AtomicInteger runs = new AtomicInteger();
        Runnable[] self = new Runnable[1];
        self[0] = () -> {
            runs.incrementAndGet();
            map.callLater(Duration.ZERO, self[0]);
        };
        map.callLater(Duration.ZERO, self[0]);
        Asyncore.loop(Duration.ZERO, false, map, 5);
        assertEquals(5, runs.get());
    }

    @Test
    void manyCancelledTimersDoNotPileUp() throws IOException {
        idle();
        List<TimerHandle> hs = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            hs.add(map.callLater(Duration.ofHours(1), () -> { }));
        }
        hs.forEach(TimerHandle::cancel);
        assertTrue(map.timerCount() < 1000, "cancelled timers kept: " + map.timerCount());
    }

    @Test
    void executeFromAnotherThreadWakesABlockedLoop() throws Exception {
        Dispatcher d = idle();
        CompletableFuture<Void> loop = CompletableFuture.runAsync(() -> Asyncore.loop(Duration.ofSeconds(60), false, map));
        CountDownLatch ran = new CountDownLatch(1);
        map.execute(() -> {
            ran.countDown();
            d.close();
        });
        assertTrue(ran.await(10, TimeUnit.SECONDS));
        loop.get(10, TimeUnit.SECONDS); // the map is empty, so loop() returned well before its 60 s wait
    }

    @Test
    void tasksFromEightThreadsEachRunExactlyOnceOnTheLoopThread() throws Exception {
        Dispatcher d = idle();
        int threads = 8;
        int perThread = 10_000;
        AtomicIntegerArray runs = new AtomicIntegerArray(threads * perThread);
        AtomicInteger total = new AtomicInteger();
        AtomicReference<Thread> loopThread = new AtomicReference<>();
        AtomicInteger offLoop = new AtomicInteger();
        CompletableFuture<Void> loop = CompletableFuture.runAsync(() -> {
            loopThread.set(Thread.currentThread());
            Asyncore.loop(Duration.ofSeconds(1), false, map);
        });
        List<Thread> posters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int base = t * perThread;
            Thread poster = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    int slot = base + i;
                    map.execute(() -> {
                        if (!map.inLoop()) {
                            offLoop.incrementAndGet();
                        }
                        runs.incrementAndGet(slot);
                        if (total.incrementAndGet() == threads * perThread) {
                            d.close();
                        }
                    });
                }
            });
            posters.add(poster);
            poster.start();
        }
        for (Thread p : posters) {
            p.join(20_000);
        }
        loop.get(30, TimeUnit.SECONDS);
        for (int i = 0; i < runs.length(); i++) {
            assertEquals(1, runs.get(i), "task " + i);
        }
        assertEquals(0, offLoop.get());
    }

    @Test
    void aThrowingTaskOrTimerIsLoggedAndTheLoopGoesOn() throws IOException {
        idle();
        AtomicInteger after = new AtomicInteger();
        try (LogCapture log = new LogCapture()) {
            map.execute(() -> {
                throw new IllegalStateException("task bug");
            });
            map.callLater(Duration.ZERO, () -> {
                throw new IllegalStateException("timer bug");
            });
            map.execute(after::incrementAndGet);
            map.callLater(Duration.ofMillis(1), after::incrementAndGet);
            RunLoop.until(map, false, () -> after.get() == 2);
            assertEquals(2, log.records().stream().filter(r -> r.getThrown() instanceof IllegalStateException).count());
        }
    }

    @Test
    void callLaterFromAnotherThreadRunsOnTheLoopThread() throws Exception {
        Dispatcher d = idle();
        AtomicReference<Thread> loopThread = new AtomicReference<>();
        CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
        CountDownLatch started = new CountDownLatch(1);
        map.execute(started::countDown);
        CompletableFuture<Void> loop = CompletableFuture.runAsync(() -> {
            loopThread.set(Thread.currentThread());
            Asyncore.loop(Duration.ofSeconds(10), false, map);
        });
        assertTrue(started.await(10, TimeUnit.SECONDS));
        TimerHandle h = map.callLater(Duration.ofMillis(5), () -> {
            onLoop.complete(Thread.currentThread() == loopThread.get());
            d.close();
        });
        assertTrue(onLoop.get(10, TimeUnit.SECONDS));
        loop.get(10, TimeUnit.SECONDS);
        assertTrue(h.isDone());
        assertFalse(h.cancel());
    }

    @Test
    void aTaskStillWakesTheLoopAfterAnInternalSelectSwallowedAPendingWakeUp() throws Exception {
        java.nio.channels.SocketChannel[] pair = SocketPairs.loopback(); // [1] accepted
        Dispatcher first = new Servers.Sink(pair[1], map);
        Asyncore.poll(Duration.ZERO, map); // registers the channel with the selector
        AtomicReference<Thread> loopThread = new AtomicReference<>();
        CompletableFuture<Void> loop = CompletableFuture.runAsync(() -> {
            loopThread.set(Thread.currentThread());
            Asyncore.loop(Duration.ofSeconds(60), false, map);
        });
        CountDownLatch handedOver = new CountDownLatch(1);
        map.execute(() -> {
            // Posted from the loop and run in this same drain: the wake-up flag is left set,
            // its selector wake-up still pending.
            map.execute(() -> { });
            // The next pass registers the channel again while its old key is cancelled: an
            // internal select that swallows that pending wake-up.
            first.delChannel();
            new Servers.Sink(pair[1], map);
            handedOver.countDown();
        });
        assertTrue(handedOver.await(10, TimeUnit.SECONDS));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (java.util.Arrays.stream(loopThread.get().getStackTrace()).noneMatch(f -> f.getClassName().contains("EPoll"))) {
            assertTrue(System.nanoTime() < until, "the loop thread never waited in the selector");
            Thread.onSpinWait();
        }
        CountDownLatch ran = new CountDownLatch(1);
        map.execute(ran::countDown);
        assertTrue(ran.await(10, TimeUnit.SECONDS), "the task waited for the loop's 60 s timeout");
        map.execute(() -> Asyncore.closeAll(map, false));
        loop.get(10, TimeUnit.SECONDS);
        pair[0].close();
    }
}
