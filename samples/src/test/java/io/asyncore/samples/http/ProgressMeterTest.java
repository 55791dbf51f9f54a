package io.asyncore.samples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The progress line's content and pacing, on a fake clock. */
class ProgressMeterTest {
    private long now;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<String> passedOn = new ArrayList<>();

    private final HttpConsumer recorder = new HttpConsumer() {
        @Override
        public void response(HttpResponseHead head) {
            passedOn.add("response " + head.code());
        }

        @Override
        public void feed(byte[] data) {
            passedOn.add("feed " + data.length);
        }

        @Override
        public void done() {
            passedOn.add("done");
        }

        @Override
        public void failed(HttpException error) {
            passedOn.add("failed");
        }
    };

    private ProgressMeter meter() {
        return new ProgressMeter(recorder, new PrintStream(err, true, StandardCharsets.UTF_8), () -> now);
    }

    private static HttpResponseHead head(Map<String, String> headers) {
        return new HttpResponseHead(URI.create("http://127.0.0.1/"), "HTTP/1.1", 200, "OK", List.copyOf(headers.entrySet()));
    }

    private String shown() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aLargeBodyWithALengthShowsBytesRatePercentageAndEndsItsLine() {
        ProgressMeter m = meter();
        m.response(head(Map.of("Content-Length", "4194304")));
        now += 1_000_000_000L;
        m.feed(new byte[1 << 20]);
        now += 1_000_000_000L;
        m.feed(new byte[3 << 20]);
        m.done();
        String s = shown();
        assertTrue(s.startsWith("\r1.0 MiB of 4.0 MiB (25%), 1.0 MiB/s"), s);
        assertTrue(s.contains("\r4.0 MiB of 4.0 MiB (100%), 2.0 MiB/s"), s);
        assertTrue(s.endsWith("\n"), "the line is ended so later messages start afresh: " + s);
        assertEquals(List.of("response 200", "feed 1048576", "feed 3145728", "done"), passedOn);
    }

    @Test
    void aSmallBodyShowsNothing() {
        ProgressMeter m = meter();
        m.response(head(Map.of("Content-Length", "1000")));
        m.feed(new byte[1000]);
        m.done();
        assertEquals("", shown());
        assertEquals(List.of("response 200", "feed 1000", "done"), passedOn);
    }

    @Test
    void withoutALengthItShowsBytesAndRateOnceTheBodyIsLarge() {
        ProgressMeter m = meter();
        m.response(head(Map.of("Transfer-Encoding", "chunked")));
        now += 500_000_000L;
        m.feed(new byte[512 * 1024]);
        assertEquals("", shown(), "not large yet");
        m.feed(new byte[512 * 1024]);
        assertTrue(shown().startsWith("\r1.0 MiB, 2.0 MiB/s"), shown());
        assertFalse(shown().contains("%"), shown());
    }

    @Test
    void itRedrawsAtMostEveryTwoHundredMilliseconds() {
        ProgressMeter m = meter();
        m.response(head(Map.of("Content-Length", String.valueOf(100L << 20))));
        for (int i = 0; i < 100; i++) {
            now += 10_000_000L; // 10 ms a piece: 1 s in all
            m.feed(new byte[1 << 20]);
        }
        long redraws = shown().chars().filter(c -> c == '\r').count();
        assertEquals(5, redraws, shown()); // at 10 ms, then every 200 ms: 210, 410, 610, 810
    }

    @Test
    void aFailureAlsoEndsTheLine() {
        ProgressMeter m = meter();
        m.response(head(Map.of("Content-Length", String.valueOf(8L << 20))));
        m.feed(new byte[1 << 20]);
        m.failed(new HttpException("connection reset"));
        assertTrue(shown().endsWith("\n"), shown());
        assertEquals("failed", passedOn.get(passedOn.size() - 1));
    }

    @Test
    void sizesUseBinaryUnits() {
        assertEquals("512 B", ProgressMeter.size(512));
        assertEquals("1.5 KiB", ProgressMeter.size(1536));
        assertEquals("64.0 MiB", ProgressMeter.size(64L << 20));
        assertEquals("0 B of 0 B (100%)", ProgressMeter.line(0, OptionalLong.of(0), 0));
    }
}
