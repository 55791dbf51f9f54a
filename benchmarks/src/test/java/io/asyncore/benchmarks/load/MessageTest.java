package io.asyncore.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class MessageTest {
    @Test
    void aMessageIsSixtyFourBytesEndingInANewline() {
        ByteBuffer m = Message.lines(2);
        assertEquals(128, m.remaining());
        assertEquals('\n', m.get(63));
        assertEquals('\n', m.get(127));
        for (int i = 0; i < 63; i++) {
            assertTrue(m.get(i) >= 'a' && m.get(i) <= 'z', "byte " + i);
        }
    }

    @Test
    void verifyAcceptsAFaithfulEchoSplitAnywhereAndWrappingAround() {
        ByteBuffer sent = Message.lines(1);
        ByteBuffer in = ByteBuffer.allocate(100);
        for (int i = 0; i < 100; i++) {
            in.put(i, sent.get((10 + i) % 64));
        }
        assertDoesNotThrow(() -> Message.verify(in, 100, sent, 10));
        assertDoesNotThrow(() -> Message.verify(in, 100, sent, 64 * 7 + 10));
    }

    @Test
    void verifyNamesTheFirstWrongByte() {
        ByteBuffer sent = Message.lines(1);
        ByteBuffer in = ByteBuffer.allocate(64);
        for (int i = 0; i < 64; i++) {
            in.put(i, sent.get(i));
        }
        in.put(5, (byte) '!');
        IOException e = assertThrows(IOException.class, () -> Message.verify(in, 64, sent, 0));
        assertTrue(e.getMessage().contains("stream byte 5 as 33"), e.getMessage());
    }
}
