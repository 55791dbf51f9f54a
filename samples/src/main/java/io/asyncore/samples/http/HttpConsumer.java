package io.asyncore.samples.http;

/**
 * Receives one HTTP response as {@link AsyncHttp} reads it: the head once, then the body in
 * pieces as they arrive, then exactly one of {@link #done()} or {@link #failed(HttpException)}.
 * {@code failed} may come at any point, also before {@code response}.
 *
 * <p>Threading: every method is called on the loop thread of the request's map, so a consumer may
 * start further requests in the same map (see {@link RedirectingConsumer}).
 */
public interface HttpConsumer {
    /** The status line and headers arrived; 1xx interim responses are skipped. */
    void response(HttpResponseHead head);

    /**
     * Body bytes, decoded from chunked transfer coding if it was used; the array is the consumer's.
     * In all, never more than the request's {@link HttpLimits#maxBodyBytes()}.
     */
    void feed(byte[] data);

    /** The body is complete and the connection closed. */
    void done();

    /** The request failed; {@code error}'s message is one line saying what went wrong. */
    void failed(HttpException error);
}
