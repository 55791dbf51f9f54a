package io.asyncore.coroutines

import io.asyncore.coroutines.testing.loopTest
import io.asyncore.coroutines.testing.pattern
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.ints.shouldBeInRange
import io.kotest.matchers.shouldBe
import java.net.InetSocketAddress
import java.net.Socket
import java.net.StandardSocketOptions
import java.nio.ByteBuffer
import java.nio.channels.ServerSocketChannel
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit
import kotlin.concurrent.thread
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.launch

/**
 * A coroutine whose reads always find bytes waiting never has to suspend, so without a bound it
 * would keep the loop thread for as long as its peer keeps sending. After a turn of consecutive
 * reads it waits for readiness, as a callback dispatcher reads once per event.
 */
class ReadFairnessSpec : FunSpec({
    timeout = 60_000

    test("a reader that always finds bytes waiting lets the loop run others after 16 reads in a row") {
        val total = 2 shl 20 // 32 reads of 64 KiB, all in the kernel before the first
        ServerSocketChannel.open().use { listener ->
            listener.setOption(StandardSocketOptions.SO_RCVBUF, 4 shl 20)
            listener.bind(InetSocketAddress("127.0.0.1", 0))
            Socket().use { peer ->
                peer.connect(listener.localAddress, 5_000)
                val channel = listener.accept()
                val written = CompletableFuture<Unit>()
                thread(name = "fairness-writer") {
                    written.complete(runCatching { peer.getOutputStream().write(pattern(total)) }.getOrThrow())
                }
                written.get(10, TimeUnit.SECONDS) // every byte is in the kernel before the loop reads any
                loopTest(30.seconds) { map ->
                    val socket = SuspendingSocket(channel, map)
                    val dst = ByteBuffer.allocateDirect(65536)
                    var got = 0
                    val reader = launch {
                        while (got < total) {
                            dst.clear()
                            got += socket.read(dst)
                        }
                    }
                    var readsBeforeOthers = -1
                    map.execute { readsBeforeOthers = socket.readCalls.toInt() } // queued right behind the reader
                    reader.join()
                    got shouldBe total
                    readsBeforeOthers shouldBeInRange 1..16
                    socket.close()
                }
            }
        }
    }
})
