package io.asyncore.samples.http;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * An {@link HttpConsumer} that collects the whole response and completes {@link #result()} with it,
 * or exceptionally with the {@link HttpException}.
 *
 * <p>Memory: the body is held whole, but {@link AsyncHttp} never feeds more than its
 * {@link HttpLimits#maxBodyBytes()} (64 MiB by default): a larger or endless body fails the
 * request with an {@link HttpException} instead.
 *
 * <p>Threading: fed on the loop thread; {@link #result()} may be read from any thread.
 */
public class BufferingConsumer implements HttpConsumer {
    private final CompletableFuture<HttpResponse> result = new CompletableFuture<>();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private HttpResponseHead head;

    /** The response once complete. */
    public CompletableFuture<HttpResponse> result() {
        return result;
    }

    @Override
    public void response(HttpResponseHead head) {
        this.head = head;
    }

    @Override
    public void feed(byte[] data) {
        body.writeBytes(data);
    }

    @Override
    public void done() {
        result.complete(new HttpResponse(head, body.toByteArray()));
    }

    @Override
    public void failed(HttpException error) {
        result.completeExceptionally(error);
    }
}
