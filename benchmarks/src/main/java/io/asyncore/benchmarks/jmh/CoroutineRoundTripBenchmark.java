package io.asyncore.benchmarks.jmh;

import io.asyncore.SocketMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A coroutine suspend/resume round trip on the loop: a coroutine on the map's
 * {@code LoopDispatcher} calls {@code yield()}, which suspends it and posts its continuation with
 * {@code SocketMap.execute}; the loop's task queue resumes it. Measured per round trip, over
 * batches of 1,000 inside one {@code map.runUntilComplete} on an empty map. A pass runs up to 4,096
 * queued tasks, so successive round trips mostly stay within one pass: this is the cost of
 * suspending, queueing and resuming, without a selector wake-up or select per round trip.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CoroutineRoundTripBenchmark {
    private static final int BATCH = 1000;

    private SocketMap map;

    @Setup(Level.Trial)
    public void open() {
        map = new SocketMap();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int yieldOnLoop() {
        return LoopRoundTrips.yields(map, BATCH);
    }

    @TearDown(Level.Trial)
    public void close() {
        map.close();
    }
}
