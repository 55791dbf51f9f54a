package io.asyncore.coroutines

import io.asyncore.coroutines.testing.connectedPair
import io.asyncore.coroutines.testing.loopTest
import io.asyncore.coroutines.testing.nextPass
import io.asyncore.coroutines.testing.pattern
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.async

/** A socket waiting for data holds no input buffer of its own: idle connections cost no memory per read. */
class InputBufferSpec : FunSpec({
    timeout = 30_000

    test("a drained socket holds no input buffer, before and while its next read waits") {
        loopTest { map ->
            val (a, b) = connectedPair(map)
            a.write(pattern(5000))
            a.flush()
            var got = 0
            while (got < 5000) {
                got += b.readUpTo(8192)!!.size
            }
            b.inputBufferCapacity shouldBe 0
            val pending = async { b.readUpTo(8192) }
            nextPass(map)
            b.inputBufferCapacity shouldBe 0
            a.write("x".encodeToByteArray())
            pending.await()?.decodeToString() shouldBe "x"
            b.inputBufferCapacity shouldBe 0
            a.close()
            b.close()
        }
    }

    test("bytes left over by readExactly stay buffered for the next read, then the buffer goes") {
        loopTest { map ->
            val (a, b) = connectedPair(map)
            a.write("abcdef".encodeToByteArray())
            a.flush()
            b.readExactly(2).decodeToString() shouldBe "ab"
            b.readExactly(4).decodeToString() shouldBe "cdef"
            b.inputBufferCapacity shouldBe 0
            a.close()
            b.close()
        }
    }
})
