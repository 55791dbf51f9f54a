package io.asyncore.samples.http;

import io.asyncore.Asyncore;
import io.asyncore.DispatcherWithSend;
import io.asyncore.SocketMap;
import io.asyncore.TimerHandle;
import io.asyncore.Tls;
import io.asyncore.samples.Failures;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * An HTTP/1.1 {@code GET} that feeds the response to an {@link HttpConsumer} as it arrives: the
 * classic "async_http" requester on {@link DispatcherWithSend}.
 *
 * <pre>{@code
 * SocketMap map = new SocketMap();
 * BufferingConsumer response = new BufferingConsumer();
 * AsyncHttp.get(URI.create("http://127.0.0.1:8080/"), new RedirectingConsumer(response, map), map);
 * Asyncore.loop(Duration.ofSeconds(1), false, map);
 * System.out.println(response.result().join().head().statusLine());
 * }</pre>
 *
 * <p>It sends {@code Connection: close}, so each request has its own connection and the body may
 * also be ended by the server closing it. Content-Length, chunked and close-delimited bodies work.
 *
 * <p>https: the connection starts TLS right after the connect ({@link #startTls}, before the request
 * is queued, so not one byte of it goes out in plaintext) with {@link Tls#clientEngine}: SNI and a
 * check that the certificate is valid for the URL's host, trusting the JDK's default trust store or
 * the {@code trust} context given (for example {@link Tls#trusting}). The handshake may take the
 * idle timeout. A close-delimited body must end with the server's TLS close_notify: a bare TCP close
 * could be an attacker's truncation, and fails the request.
 *
 * <p>Threading: for the thread that runs {@code map}; the consumer is called there.
 *
 * <p>Errors: every failure reaches {@link HttpConsumer#failed} exactly once with a one-line
 * message, never a stack trace: a malformed URL, an unknown host, a refused connection, a TLS
 * failure (an untrusted, expired or wrong-host certificate, no protocol in common: the core's
 * message says which),
 * a malformed status line or header, headers over {@value ResponseParser#MAX_HEADER_BYTES} bytes,
 * a bad chunk size, a truncated body, a body over {@link HttpLimits#maxBodyBytes()}, no data for
 * {@link HttpLimits#idleTimeout()}, or a request still unfinished after
 * {@link HttpLimits#requestTimeout()} (a server trickling an endless body). A URL or host problem is
 * reported before {@code get} returns.
 *
 * <p>Cancellation: {@link #cancel()} closes the connection and reports a failure.
 */
public final class AsyncHttp extends DispatcherWithSend {
    /** How long a request may go without any data before it fails: {@link HttpLimits#DEFAULT_IDLE_TIMEOUT}. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = HttpLimits.DEFAULT_IDLE_TIMEOUT;

    private final URI url;
    private final HttpConsumer consumer;
    private final HttpLimits limits;
    private final SSLContext trust;
    private final long deadline;
    private final ResponseParser parser;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(16 * 1024);
    private long lastActivity = map().nanoTime();
    private TimerHandle idleTimer;
    private boolean finished;

    private AsyncHttp(URI url, HttpConsumer consumer, SocketMap map, HttpLimits limits, SSLContext trust, long deadline) {
        super(map);
        this.url = url;
        this.consumer = consumer;
        this.limits = limits;
        this.trust = trust;
        this.deadline = deadline;
        this.parser = new ResponseParser(url, consumer, limits.maxBodyBytes());
    }

    /** {@link #get(URI, HttpConsumer, SocketMap, HttpLimits)} with {@link HttpLimits#DEFAULTS}. */
    public static AsyncHttp get(URI url, HttpConsumer consumer, SocketMap map) {
        return get(url, consumer, map, HttpLimits.DEFAULTS);
    }

    /** {@link #get(URI, HttpConsumer, SocketMap, HttpLimits)} with the default limits but {@code idleTimeout}. */
    public static AsyncHttp get(URI url, HttpConsumer consumer, SocketMap map, Duration idleTimeout) {
        return get(url, consumer, map, HttpLimits.DEFAULTS.withIdleTimeout(idleTimeout));
    }

    /**
     * Starts a {@code GET} of {@code url} in {@code map}; the host name is resolved now.
     *
     * @param limits the idle timeout, the whole-request timeout (counted from now) and the body size limit
     * @return the request, already finished if the URL or host was rejected
     */
    public static AsyncHttp get(URI url, HttpConsumer consumer, SocketMap map, HttpLimits limits) {
        return get(url, consumer, map, limits, null);
    }

    /**
     * {@link #get(URI, HttpConsumer, SocketMap, HttpLimits)}, where an https URL trusts the CAs of
     * {@code trust} (for example {@link Tls#trusting}) instead of the JDK's default trust store.
     *
     * @param trust the client TLS context for https, or {@code null} for the JDK's default
     */
    public static AsyncHttp get(URI url, HttpConsumer consumer, SocketMap map, HttpLimits limits, SSLContext trust) {
        SocketMap clock = map != null ? map : Asyncore.socketMap();
        return get(url, consumer, map, limits, trust, clock.nanoTime() + limits.requestTimeout().toNanos());
    }

    /** As above, but the whole-request deadline is {@code deadline} (the map's {@link SocketMap#nanoTime()}): for redirects. */
    static AsyncHttp get(URI url, HttpConsumer consumer, SocketMap map, HttpLimits limits, SSLContext trust, long deadline) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(limits, "limits");
        AsyncHttp request = new AsyncHttp(url, consumer, map, limits, trust, deadline);
        request.start();
        return request;
    }

    /** The URL requested. */
    public URI url() {
        return url;
    }

    /** True once the consumer was told {@code done} or {@code failed}. */
    public boolean isFinished() {
        return finished;
    }

    /** Abandons the request: closes the connection and reports "cancelled" to the consumer, unless it finished. */
    public void cancel() {
        fail(new HttpException("the request for " + url + " was cancelled"));
    }

    private void start() {
        try {
            HttpTarget target = HttpTarget.of(url);
            InetSocketAddress address = new InetSocketAddress(target.host(), target.port());
            createSocket(Asyncore.protocolFamily(address));
            connect(address);
            if (target.https()) { // before the request is queued: queued bytes would go out in plaintext
                startTls(clientEngine(target), limits.idleTimeout());
            }
            send(target.getRequest());
            checkIdle();
        } catch (IOException | RuntimeException e) {
            handleError(e);
        }
    }

    private SSLEngine clientEngine(HttpTarget target) {
        return trust == null ? Tls.clientEngine(target.host(), target.port())
                : Tls.clientEngine(trust, target.host(), target.port());
    }

    /** Fails the request if it was idle too long or passed its deadline, else checks again when one could pass. */
    private void checkIdle() {
        if (finished) {
            return;
        }
        long now = map().nanoTime();
        long idleLeft = limits.idleTimeout().toNanos() - (now - lastActivity);
        long wholeLeft = deadline - now;
        if (wholeLeft <= 0) {
            fail(limits.requestTimedOut(url));
        } else if (idleLeft <= 0) {
            fail(limits.idleTimedOut(Failures.format(addr()), url));
        } else {
            idleTimer = map().callLater(Duration.ofNanos(Math.min(idleLeft, wholeLeft)), this::checkIdle);
        }
    }

    @Override
    public void handleConnect() {
        lastActivity = map().nanoTime();
    }

    @Override
    public void handleTlsHandshake() {
        lastActivity = map().nanoTime();
    }

    @Override
    public void handleWrite() throws IOException {
        super.handleWrite();
        lastActivity = map().nanoTime();
    }

    @Override
    public void handleRead() throws IOException {
        int n = recv(readBuffer.clear());
        if (n <= 0 || finished) {
            return; // nothing yet, or end of stream (handleClose ran)
        }
        lastActivity = map().nanoTime();
        if (parser.feed(readBuffer.flip())) {
            succeed();
        }
    }

    @Override
    public void handleClose() {
        if (finished) {
            close();
            return;
        }
        try {
            parser.endOfStream();
            succeed();
        } catch (HttpException e) {
            fail(e);
        }
    }

    @Override
    public void handleError(Throwable error) {
        if (finished) { // the consumer threw from done() or failed(): nobody left to tell but the log
            logInfo("the consumer of " + url + " failed: " + Failures.describe(error, null), "error");
            return;
        }
        fail(error instanceof HttpException h ? h : new HttpException(Failures.describe(error, addr())));
    }

    private void succeed() {
        if (finish()) {
            consumer.done();
        }
    }

    private void fail(HttpException error) {
        if (finish()) {
            consumer.failed(error);
        }
    }

    /** Ends the request once; true the first time. */
    private boolean finish() {
        if (finished) {
            return false;
        }
        finished = true;
        if (idleTimer != null) {
            idleTimer.cancel();
        }
        close();
        return true;
    }
}
