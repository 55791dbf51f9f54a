package io.asyncore.samples.time;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class Rfc868Test {
    @Test
    void encodesSecondsSince1900BigEndian() {
        // 1970-01-01T00:00:00Z is 2208988800 = 0x83AA7E80 seconds after 1900
        assertArrayEquals(new byte[] {(byte) 0x83, (byte) 0xAA, 0x7E, (byte) 0x80}, Rfc868.encode(Instant.EPOCH));
    }

    @Test
    void decodeInvertsEncodeToTheSecond() {
        Instant t = Instant.parse("2026-11-22T06:20:00.750Z");
        assertEquals(Instant.parse("2026-11-22T06:20:00Z"), Rfc868.decode(Rfc868.encode(t), t));
    }

    @Test
    void decodePicksTheEraNearestTheLocalClockAfterThe2036Wrap() {
        Instant after = Instant.parse("2040-01-01T00:00:00Z");
        assertEquals(after, Rfc868.decode(Rfc868.encode(after), after.plusSeconds(5)));
        Instant before = Instant.parse("2036-02-07T06:28:00Z");
        assertEquals(before, Rfc868.decode(Rfc868.encode(before), Instant.parse("2036-02-07T06:29:00Z")));
    }

    @Test
    void decodeRejectsAnythingButFourBytes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Rfc868.decode(new byte[3], Instant.now()));
        assertEquals("an RFC 868 time is 4 bytes, got 3", e.getMessage());
    }

    @Test
    void describeComparesWholeSeconds() {
        Instant local = Instant.parse("2026-11-22T06:20:00.900Z");
        assertEquals("remote time 2026-11-22T06:20:00Z, the same second as the local clock",
                Rfc868.describe(Instant.parse("2026-11-22T06:20:00Z"), local));
        assertEquals("remote time 2026-11-22T06:19:58Z, 2 s behind the local clock",
                Rfc868.describe(Instant.parse("2026-11-22T06:19:58Z"), local));
        assertEquals("remote time 2026-11-22T06:20:03Z, 3 s ahead of the local clock",
                Rfc868.describe(Instant.parse("2026-11-22T06:20:03Z"), local));
    }
}
