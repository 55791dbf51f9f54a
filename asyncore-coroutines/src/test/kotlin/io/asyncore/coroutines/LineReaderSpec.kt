package io.asyncore.coroutines

import io.asyncore.coroutines.testing.connectedPair
import io.asyncore.coroutines.testing.loopTest
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.io.IOException
import kotlin.time.Duration.Companion.milliseconds
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout

/** `readLine` and `writeString`: line breaks, the length limit, charsets, and the end of the stream. */
class LineReaderSpec : FunSpec({
    timeout = 60_000

    test("lines end at \\n or \\r\\n, without the terminator; a lone \\r stays in the line; null at a clean end of stream") {
        loopTest { map ->
            val (a, b) = connectedPair(map)
            a.writeString("one\ntwo\r\n\r\nthree\rfour\n\n")
            a.shutdownOutput()
            b.readLine() shouldBe "one"
            b.readLine() shouldBe "two"
            b.readLine() shouldBe ""
            b.readLine() shouldBe "three\rfour"
            b.readLine() shouldBe ""
            b.readLine() shouldBe null
            b.readLine() shouldBe null // and so on: the end of the stream stays the end
            a.close()
            b.close()
        }
    }

    test("a last line the stream ends without terminating is returned, then null") {
        loopTest { map ->
            val (a, b) = connectedPair(map)
            a.writeString("first\nunterminated")
            a.close()
            b.readLine() shouldBe "first"
            b.readLine() shouldBe "unterminated"
            b.readLine() shouldBe null
            b.close()
        }
    }

    test("a line split at every byte, the \\r\\n between two writes included, arrives whole") {
        loopTest { map ->
            val (a, b) = connectedPair(map)
            val text = "héllo, wörld\r\n"
            val bytes = text.encodeToByteArray()
            for (cut in 1 until bytes.size) {
                val reader = async { b.readLine() }
                a.write(bytes, 0, cut)
                a.flush()
                a.write(bytes, cut, bytes.size - cut)
                reader.await() shouldBe "héllo, wörld"
            }
            a.close()
            b.close()
        }
    }

    test("maxLength counts the line's bytes without its terminator") {
        loopTest { map ->
            val (a, b) = connectedPair(map)
            a.writeString("12345\n12345\r\n")
            b.readLine(maxLength = 5) shouldBe "12345"
            b.readLine(maxLength = 5) shouldBe "12345"
            a.close()
            b.close()
        }
    }

    test("a line over maxLength throws IOException and consumes nothing") {
        loopTest { map ->
            val (a, b) = connectedPair(map)
            a.writeString("123456\r\nnext\n")
            val e = shouldThrow<IOException> { b.readLine(maxLength = 5) }
            e.message!! shouldContain "over maxLength=5"
            b.readUntil("\n", 100).decodeToString() shouldBe "123456\r" // the bytes stayed buffered
            b.readLine() shouldBe "next"
            a.close()
            b.close()
        }
    }

    test("a peer that sends no line break gets an IOException once maxLength is passed, not unbounded buffering") {
        loopTest { map ->
            val (a, b) = connectedPair(map)
            val reader = async { runCatching { b.readLine(maxLength = 100) }.exceptionOrNull() }
            a.write(ByteArray(50) { 'x'.code.toByte() })
            a.flush()
            a.write(ByteArray(50) { 'x'.code.toByte() } + '\r'.code.toByte()) // 100 bytes and a \r: still maybe a line
            a.flush()
            a.write(byteArrayOf('x'.code.toByte())) // now it cannot be
            (reader.await() as IOException).message!! shouldContain "over maxLength=100"
            b.bufferedInput shouldBe 102 // nothing consumed
            a.close()
            b.close()
        }
    }

    test("an unterminated last line over maxLength throws IOException at the end of the stream") {
        loopTest { map ->
            val (a, b) = connectedPair(map)
            a.writeString("123456")
            a.close()
            shouldThrow<IOException> { b.readLine(maxLength = 5) }.message!! shouldContain "over maxLength=5"
            b.readUpTo(100)?.decodeToString() shouldBe "123456"
            b.close()
        }
    }

    test("a charset decodes the line and encodes the string; one without single-byte line breaks is refused") {
        loopTest { map ->
            val (a, b) = connectedPair(map)
            a.writeString("café\n", Charsets.ISO_8859_1)
            b.readExactly(5).toList() shouldBe listOf<Byte>(0x63, 0x61, 0x66, 0xe9.toByte(), 0x0a)
            a.writeString("naïve\r\n", Charsets.ISO_8859_1)
            b.readLine(charset = Charsets.ISO_8859_1) shouldBe "naïve"
            shouldThrow<IllegalArgumentException> { b.readLine(charset = Charsets.UTF_16) }.message!! shouldContain "UTF-16"
            shouldThrow<IllegalArgumentException> { b.readLine(maxLength = -1) }.message!! shouldContain "maxLength < 0"
            a.close()
            b.close()
        }
    }

    test("a cancelled readLine consumes nothing: the next one gets the whole line") {
        loopTest { map ->
            val (a, b) = connectedPair(map)
            a.writeString("half")
            shouldThrow<TimeoutCancellationException> { withTimeout(30.milliseconds) { b.readLine() } }
            a.writeString(" and half\n")
            b.readLine() shouldBe "half and half"
            a.close()
            b.close()
        }
    }

    test("readLine and writeString from another dispatcher") {
        loopTest { map ->
            val (a, b) = connectedPair(map)
            withContext(Dispatchers.Default) {
                a.writeString("from elsewhere\n")
                b.readLine() shouldBe "from elsewhere"
                a.close()
                b.readLine() shouldBe null
            }
            b.close()
        }
    }
})
