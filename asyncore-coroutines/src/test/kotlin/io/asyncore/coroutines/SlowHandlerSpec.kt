package io.asyncore.coroutines

import io.asyncore.LoopHealthListener
import io.asyncore.coroutines.testing.connectedPair
import io.asyncore.coroutines.testing.loopTest
import io.kotest.core.spec.style.FunSpec
import io.mockk.mockk
import io.mockk.verify
import java.time.Duration
import java.util.concurrent.locks.LockSupport
import kotlinx.coroutines.launch

/** Holds the calling thread (the loop) for [millis] without using the map's timers. */
private fun holdLoop(millis: Long) {
    val end = System.nanoTime() + millis * 1_000_000
    while (System.nanoTime() - end < 0) LockSupport.parkNanos(1_000_000)
}

/**
 * The map's health listener hears of each handler that holds the loop too long, once, and of
 * nothing else: a MockK fake under the real loop and real sockets.
 */
class SlowHandlerSpec : FunSpec({
    timeout = 30_000

    test("a coroutine that blocks the loop after a read is reported once to the listener, fast ones not at all") {
        val listener = mockk<LoopHealthListener>(relaxed = true)
        loopTest { map ->
            val (client, server) = connectedPair(map)
            // From here: a cold JVM's first steps (class loading) may be slow themselves.
            map.setSlowHandlerThreshold(Duration.ofMillis(50))
            map.setHealthListener(listener)
            val reader = launch {
                server.readExactly(5)
                holdLoop(80) // blocking work on the loop thread: the mistake being detected
                server.readExactly(5) // fast from here on
            }
            client.write("first".encodeToByteArray())
            client.write("again".encodeToByteArray())
            reader.join()
            client.close()
            server.close()
        }
        // The coroutine runs as a task of the loop (dispatched after its read completed).
        verify(exactly = 1) { listener.slowHandler(any(), any(), any(), any()) }
        verify(exactly = 1) {
            listener.slowHandler(any(), match { "Continuation" in it }, "task", match { it >= Duration.ofMillis(80) })
        }
    }
})
