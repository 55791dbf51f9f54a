package io.asyncore.samples.http;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits one HTTP {@code GET} runs under, shared by both clients (the callback {@link AsyncHttp}
 * with a {@link RedirectingConsumer} and the suspending {@code httpGet}), so a hostile or broken
 * server always ends in an {@link HttpException} within bounded time and memory.
 *
 * <ul>
 *   <li>{@code idleTimeout}: the longest time without progress (the connect, sending, any data);
 *       it is restarted by every byte, so it stops a stalled server.
 *   <li>{@code requestTimeout}: the deadline for the whole {@code GET}, redirects included, from
 *       the start of the first request to the last body byte; it stops a server that trickles a
 *       few bytes every so often and so never trips the idle timeout.
 *   <li>{@code maxBodyBytes}: the largest body accepted (after chunked decoding), so an endless
 *       body cannot fill the memory of a buffering client; a larger declared Content-Length or
 *       chunk size fails at once.
 * </ul>
 *
 * <p>Threading: an immutable value, usable from any thread.
 *
 * @param idleTimeout positive
 * @param requestTimeout positive
 * @param maxBodyBytes at least 0
 */
public record HttpLimits(Duration idleTimeout, Duration requestTimeout, long maxBodyBytes) {
    /** The default {@code idleTimeout}: 30 s. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** The default {@code requestTimeout}: 5 minutes. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofMinutes(5);
    /** The default {@code maxBodyBytes}: 64 MiB. */
    public static final long DEFAULT_MAX_BODY_BYTES = 64L * 1024 * 1024;
    /** The defaults: 30 s idle, 5 minutes for the whole request, 64 MiB of body. */
    public static final HttpLimits DEFAULTS = new HttpLimits(DEFAULT_IDLE_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, DEFAULT_MAX_BODY_BYTES);

    /**
     * Checks the limits.
     *
     * @throws IllegalArgumentException if a timeout is not positive or {@code maxBodyBytes} is negative
     */
    public HttpLimits {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout must be positive: " + idleTimeout);
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive: " + requestTimeout);
        }
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes < 0: " + maxBodyBytes);
        }
    }

    /** These limits with another {@code idleTimeout}. */
    public HttpLimits withIdleTimeout(Duration idle) {
        return new HttpLimits(idle, requestTimeout, maxBodyBytes);
    }

    /** These limits with another {@code requestTimeout}. */
    public HttpLimits withRequestTimeout(Duration whole) {
        return new HttpLimits(idleTimeout, whole, maxBodyBytes);
    }

    /** These limits with another {@code maxBodyBytes}. */
    public HttpLimits withMaxBodyBytes(long max) {
        return new HttpLimits(idleTimeout, requestTimeout, max);
    }

    /** The one-line failure for a {@code GET} of {@code url} that passed {@code requestTimeout}. */
    HttpException requestTimedOut(Object url) {
        return new HttpException("timed out: the request for " + url + " took longer than the whole-request limit of "
                + seconds(requestTimeout) + " s; raise it with requestTimeout (http-get --max-time SECONDS)");
    }

    /** The one-line failure for a {@code GET} of {@code url} that got no data from {@code peer} for {@code idleTimeout}. */
    HttpException idleTimedOut(String peer, Object url) {
        return new HttpException("timed out: no data from " + peer + " for " + seconds(idleTimeout) + " s while fetching "
                + url + "; raise it with idleTimeout (http-get --timeout SECONDS)");
    }

    static String seconds(Duration d) {
        return String.valueOf(d.toMillis() / 1000.0);
    }
}
