package io.asyncore.samples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.Asyncore;
import io.asyncore.SocketMap;
import io.asyncore.VirtualClock;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP client's idle timeout and whole-request deadline, on a virtual clock: the default 30 s
 * idle and a 5-minute whole-request limit are tested in milliseconds against a real server that
 * stalls after part of the body.
 */
@Timeout(10)
class AsyncHttpVirtualTimeTest {
    private static final String PARTIAL = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";

    /** Collects the response; {@code fed} turns true once body bytes arrived, so the stall has begun. */
    static final class Watching extends BufferingConsumer {
        volatile boolean fed;

        @Override
        public void feed(byte[] data) {
            super.feed(data);
            fed = true;
        }
    }

    private static void runUntil(SocketMap map, BooleanSupplier done) {
        long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - limit > 0) {
                throw new AssertionError("condition not met within 5 s");
            }
            Asyncore.loop(Duration.ofMillis(10), false, map, 1);
        }
    }

    private static String failureAfter(HttpLimits limits, Duration advance) throws Exception {
        VirtualClock clock = new VirtualClock();
        try (RawHttpServer raw = RawHttpServer.stalling(PARTIAL); SocketMap map = new SocketMap(clock)) {
            Watching consumer = new Watching();
            URI url = raw.url("/x");
            AsyncHttp.get(url, consumer, map, limits);
            runUntil(map, () -> consumer.fed);

            long start = System.nanoTime();
            clock.advance(advance);
            runUntil(map, () -> consumer.result().isDone());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "virtual time, real milliseconds");
            try {
                consumer.result().get();
                throw new AssertionError("the stalled request succeeded");
            } catch (ExecutionException e) {
                return e.getCause().getMessage().replace(String.valueOf(raw.port()), "PORT");
            }
        }
    }

    @Test
    void aStalledServerHitsTheDefaultIdleTimeoutOfThirtySeconds() throws Exception {
        String message = failureAfter(HttpLimits.DEFAULTS, Duration.ofSeconds(31));
        assertEquals("timed out: no data from 127.0.0.1:PORT for 30.0 s while fetching http://127.0.0.1:PORT/x"
                + "; raise it with idleTimeout (http-get --timeout SECONDS)", message);
    }

    @Test
    void aStalledServerHitsTheWholeRequestDeadlineOfFiveMinutesWhenTheIdleTimeoutIsLonger() throws Exception {
        HttpLimits limits = HttpLimits.DEFAULTS.withIdleTimeout(Duration.ofHours(1));
        String message = failureAfter(limits, Duration.ofMinutes(6));
        assertEquals("timed out: the request for http://127.0.0.1:PORT/x took longer than the whole-request limit of "
                + "300.0 s; raise it with requestTimeout (http-get --max-time SECONDS)", message);
    }
}
