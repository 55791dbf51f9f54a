package io.asyncore.samples.http;

import io.asyncore.Asyncore;
import io.asyncore.SocketMap;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * An {@link HttpConsumer} that follows redirects (301, 302, 303, 307 and 308 with a
 * {@code Location}) by starting a new {@link AsyncHttp} request in the same map, and hands the
 * final response to its target. A redirect's own body is discarded. Redirects between {@code http}
 * and {@code https} are followed both ways, each request on a connection of its own. These samples only send
 * {@code GET}, so 303's switch to {@code GET} and 307/308's keeping of the method are the same here.
 *
 * <pre>{@code
 * RedirectingConsumer redirecting = new RedirectingConsumer(target, map);
 * redirecting.start(URI.create("http://127.0.0.1:8080/old"));
 * }</pre>
 *
 * <p>Threading: for the thread that runs {@code map}.
 *
 * <p>Errors: the {@link HttpLimits} of each request (the whole-request timeout covers the whole
 * chain), more than the hop limit of redirects, a redirect back to a URL already visited, or a
 * bad {@code Location} reach the target's {@link HttpConsumer#failed} with a one-line message.
 */
public class RedirectingConsumer implements HttpConsumer {
    /** Redirects followed at most, by default. */
    public static final int DEFAULT_MAX_REDIRECTS = 5;

    private final HttpConsumer target;
    private final SocketMap map;
    private final int maxRedirects;
    private final HttpLimits limits;
    private final SSLContext trust;
    private final List<URI> chain = new ArrayList<>();
    private URI next;
    private long deadline;
    private HttpException badLocation;

    /** Follows up to {@value #DEFAULT_MAX_REDIRECTS} redirects with {@link HttpLimits#DEFAULTS}. */
    public RedirectingConsumer(HttpConsumer target, SocketMap map) {
        this(target, map, DEFAULT_MAX_REDIRECTS, HttpLimits.DEFAULTS);
    }

    /** Follows up to {@code maxRedirects} redirects with the default limits but {@code idleTimeout}. */
    public RedirectingConsumer(HttpConsumer target, SocketMap map, int maxRedirects, Duration idleTimeout) {
        this(target, map, maxRedirects, HttpLimits.DEFAULTS.withIdleTimeout(idleTimeout));
    }

    /**
     * Follows up to {@code maxRedirects} redirects under {@code limits}: each request has the idle
     * timeout and body limit, and {@link HttpLimits#requestTimeout()} bounds the whole chain, counted
     * from {@link #start}.
     *
     * @throws IllegalArgumentException if {@code maxRedirects} is negative
     */
    public RedirectingConsumer(HttpConsumer target, SocketMap map, int maxRedirects, HttpLimits limits) {
        this(target, map, maxRedirects, limits, null);
    }

    /**
     * As {@link #RedirectingConsumer(HttpConsumer, SocketMap, int, HttpLimits)}, where every https
     * request of the chain (the first, or one a redirect leads to) trusts the CAs of {@code trust}.
     *
     * @param trust the client TLS context for https (for example {@link io.asyncore.Tls#trusting}),
     *     or {@code null} for the JDK's default trust store
     * @throws IllegalArgumentException if {@code maxRedirects} is negative
     */
    public RedirectingConsumer(HttpConsumer target, SocketMap map, int maxRedirects, HttpLimits limits, SSLContext trust) {
        if (maxRedirects < 0) {
            throw new IllegalArgumentException("maxRedirects < 0: " + maxRedirects);
        }
        this.target = Objects.requireNonNull(target, "target");
        this.map = map;
        this.maxRedirects = maxRedirects;
        this.limits = Objects.requireNonNull(limits, "limits");
        this.trust = trust;
    }

    /** Starts the first request; the whole-request deadline starts now. */
    public AsyncHttp start(URI url) {
        deadline = (map != null ? map : Asyncore.socketMap()).nanoTime() + limits.requestTimeout().toNanos();
        return follow(url);
    }

    private AsyncHttp follow(URI url) {
        chain.add(url);
        return AsyncHttp.get(url, this, map, limits, trust, deadline);
    }

    /** Every URL requested so far, the first one first. */
    public List<URI> chain() {
        return List.copyOf(chain);
    }

    @Override
    public void response(HttpResponseHead head) {
        try {
            next = Redirects.target(head).orElse(null);
        } catch (HttpException e) {
            badLocation = e;
            next = head.url();
        }
        if (next == null) {
            target.response(head);
        }
    }

    @Override
    public void feed(byte[] data) {
        if (next == null) {
            target.feed(data);
        }
    }

    @Override
    public void done() {
        if (next == null) {
            target.done();
            return;
        }
        URI to = next;
        next = null;
        try {
            if (badLocation != null) {
                throw badLocation;
            }
            Redirects.check(chain, to, maxRedirects);
        } catch (HttpException e) {
            target.failed(e);
            return;
        }
        follow(to);
    }

    @Override
    public void failed(HttpException error) {
        target.failed(error);
    }
}
