package io.asyncore.samples.http;

import java.io.PrintStream;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * An {@link HttpConsumer} that passes everything on and, for a large body, keeps one progress line
 * on stderr up to date, as curl does: bytes so far, the rate, and the percentage when the response
 * has a {@code Content-Length}. The line is redrawn in place ({@code \r}) at most every
 * {@link #REDRAW_NANOS}, and ends with a newline when the body is done or failed, so the next
 * message starts on a line of its own.
 *
 * <p>Use it only when stderr is a terminal (the {@code http-get} command checks): in a pipe or a
 * file the carriage returns would be noise.
 *
 * <p>Threading: fed on the loop thread, like the consumer it wraps.
 */
public final class ProgressMeter implements HttpConsumer {
    /** A body at least this large (declared, or received so far) gets a progress line: 1 MiB. */
    static final long LARGE_BODY = 1 << 20;
    /** The least time between two redraws: 200 ms. */
    static final long REDRAW_NANOS = 200_000_000L;

    private final HttpConsumer next;
    private final PrintStream err;
    private final LongSupplier nanoTime;
    private OptionalLong total = OptionalLong.empty();
    private long received;
    private long started;
    private long lastDrawn;
    private boolean drawing;

    /**
     * Passes everything on to {@code next} and draws on {@code err}.
     *
     * @param nanoTime the clock the rate and the redraw pacing are measured with, such as {@code System::nanoTime}
     */
    public ProgressMeter(HttpConsumer next, PrintStream err, LongSupplier nanoTime) {
        this.next = next;
        this.err = err;
        this.nanoTime = nanoTime;
    }

    @Override
    public void response(HttpResponseHead head) {
        total = head.header("Content-Length").flatMap(ProgressMeter::parseLength)
                .map(OptionalLong::of).orElse(OptionalLong.empty());
        received = 0;
        started = nanoTime.getAsLong();
        next.response(head);
    }

    @Override
    public void feed(byte[] data) {
        next.feed(data);
        received += data.length;
        long now = nanoTime.getAsLong();
        boolean large = received >= LARGE_BODY || (total.isPresent() && total.getAsLong() >= LARGE_BODY);
        if (large && (!drawing || now - lastDrawn >= REDRAW_NANOS)) {
            draw(now);
        }
    }

    @Override
    public void done() {
        finish();
        next.done();
    }

    @Override
    public void failed(HttpException error) {
        finish();
        next.failed(error);
    }

    private void finish() {
        if (drawing) {
            draw(nanoTime.getAsLong());
            err.print("\n");
            err.flush();
            drawing = false;
        }
    }

    private void draw(long now) {
        err.print("\r" + line(received, total, now - started) + "\u001b[K"); // erase what a longer line left
        err.flush();
        drawing = true;
        lastDrawn = now;
    }

    /** {@code 3.0 MiB of 8.0 MiB (37%), 1.5 MiB/s}, or without the total when the length is unknown. */
    static String line(long received, OptionalLong total, long elapsedNanos) {
        StringBuilder b = new StringBuilder(size(received));
        if (total.isPresent()) {
            long t = total.getAsLong();
            b.append(" of ").append(size(t)).append(" (").append(t == 0 ? 100 : received * 100 / t).append("%)");
        }
        if (elapsedNanos > 0) {
            b.append(", ").append(size((long) (received * 1e9 / elapsedNanos))).append("/s");
        }
        return b.toString();
    }

    /** Bytes with a binary unit: {@code 512 B}, {@code 1.5 KiB}, {@code 64.0 MiB}. */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static java.util.Optional<Long> parseLength(String value) {
        try {
            long n = Long.parseLong(value.strip());
            return n >= 0 ? java.util.Optional.of(n) : java.util.Optional.empty();
        } catch (NumberFormatException e) {
            return java.util.Optional.empty(); // the parser rejects a bad length; here it only means no percentage
        }
    }
}
