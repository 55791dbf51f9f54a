package io.asyncore.coroutines

import io.asyncore.SocketMap
import io.asyncore.VirtualClock
import io.asyncore.coroutines.testing.awaitCondition
import io.asyncore.coroutines.testing.connectedPair
import io.asyncore.coroutines.testing.nextPass
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.longs.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import java.time.Duration
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeout

/** Runs [block] on a fresh map on a fresh [VirtualClock], driven by the calling thread; closes the map. */
private fun <T> onVirtualTime(block: suspend CoroutineScope.(SocketMap, VirtualClock) -> T): T {
    val clock = VirtualClock()
    return SocketMap(clock).use { map -> map.runUntilComplete { block(map, clock) } }
}

/**
 * `delay` and `withTimeout` on the loop's dispatcher follow the map's [VirtualClock]: a read with a
 * 30-second timeout is tested in milliseconds, over real sockets. The spec's own timeout is real
 * time (a `withTimeout` guard on the loop would be virtual too).
 */
class VirtualTimeSpec : FunSpec({
    timeout = 10_000

    test("a withTimeout of 30 s around readUntil times out when the clock passes 30 s, not before") {
        val started = System.nanoTime()
        onVirtualTime { map, clock ->
            val (client, server) = connectedPair(map)
            val reader = async {
                runCatching { withTimeout(30.seconds) { client.readUntil("\n", maxLength = 1024) } }
            }
            server.write("no line end".encodeToByteArray())
            awaitCondition { client.bufferedInput > 0 } // the reader waits for the rest of the line

            clock.advance(Duration.ofSeconds(29))
            nextPass(map)
            reader.isActive shouldBe true

            clock.advance(Duration.ofSeconds(1))
            reader.await().exceptionOrNull().shouldBeInstanceOf<TimeoutCancellationException>()
            client.close()
            server.close()
        }
        System.nanoTime() - started shouldBeLessThan 1_000_000_000L
    }

    test("a delay in a loop steps through each deadline of a ten-minute advance") {
        onVirtualTime { map, clock ->
            val seen = mutableListOf<Long>()
            val ticker = launch {
                repeat(10) {
                    delay(1.minutes)
                    seen += map.nanoTime()
                }
            }
            nextPass(map) // the ticker has started its first delay
            clock.advance(Duration.ofMinutes(10))
            ticker.join()
            seen shouldBe (1..10).map { Duration.ofMinutes(it.toLong()).toNanos() }
        }
    }
})
