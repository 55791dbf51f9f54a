package io.asyncore.benchmarks.jmh

import io.asyncore.SocketMap
import io.asyncore.coroutines.runUntilComplete
import kotlinx.coroutines.yield

/** The Kotlin half of [CoroutineRoundTripBenchmark]: JMH's generator reads only Java sources. */
object LoopRoundTrips {
    /**
     * Drives [map] on the calling thread while one coroutine suspends and is resumed by the loop
     * [count] times (`yield()`: the continuation is posted with `SocketMap.execute` and resumed from
     * the loop's task queue). Returns [count].
     */
    @JvmStatic
    fun yields(map: SocketMap, count: Int): Int = map.runUntilComplete {
        repeat(count) { yield() }
        count
    }
}
