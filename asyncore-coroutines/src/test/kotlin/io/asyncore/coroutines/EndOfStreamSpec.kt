package io.asyncore.coroutines

import io.asyncore.coroutines.testing.connectedPair
import io.asyncore.coroutines.testing.loopTest
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import java.io.EOFException
import java.nio.ByteBuffer

/** The table in `SuspendingSocket`'s KDoc: what each read call answers at the end of the stream. */
class EndOfStreamSpec : FunSpec({
    timeout = 60_000

    test("at a clean end of stream: read gives -1, readUpTo and readLine null, readExactly and readUntil throw; every time") {
        loopTest { map ->
            val (a, b) = connectedPair(map)
            a.shutdownOutput()
            repeat(2) {
                b.read(ByteBuffer.allocate(8)) shouldBe -1
                b.readUpTo(8) shouldBe null
                b.readLine() shouldBe null
                shouldThrow<EOFException> { b.readExactly(1) }
                shouldThrow<EOFException> { b.readUntil("\n", 8) }
                b.transferTo(b) shouldBe 0L
            }
            b.readExactly(0).size shouldBe 0 // asks for nothing: there is nothing to miss
            b.isOpen shouldBe true // the peer only half-closed: this side can still write
            b.writeString("still here\n")
            a.readLine() shouldBe "still here"
            a.close()
            b.close()
        }
    }

    test("when the stream ends inside a record, the record readers throw and the bytes stay for the others") {
        loopTest { map ->
            val (a, b) = connectedPair(map)
            a.writeString("partial")
            a.shutdownOutput()
            shouldThrow<EOFException> { b.readExactly(100) }
            shouldThrow<EOFException> { b.readUntil("\n", 100) }
            b.readUpTo(3)?.decodeToString() shouldBe "par"
            b.readLine() shouldBe "tial"
            b.readUpTo(1) shouldBe null
            a.close()
            b.close()
        }
    }
})
