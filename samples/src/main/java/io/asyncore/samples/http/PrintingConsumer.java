package io.asyncore.samples.http;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * An {@link HttpConsumer} that prints the response as it arrives, like {@code curl -i}: the status
 * line, the headers, a blank line, then the body bytes as they come.
 *
 * <p>Threading: fed on the loop thread; {@link #result()} may be read from any thread.
 */
public final class PrintingConsumer implements HttpConsumer {
    private final PrintStream out;
    private final CompletableFuture<Long> result = new CompletableFuture<>();
    private long bodyBytes;

    /** Prints to {@code out}. */
    public PrintingConsumer(PrintStream out) {
        this.out = out;
    }

    /** The number of body bytes printed, once the response is complete. */
    public CompletableFuture<Long> result() {
        return result;
    }

    @Override
    public void response(HttpResponseHead head) {
        out.print(head.statusLine() + "\r\n");
        for (Map.Entry<String, String> h : head.headers()) {
            out.print(h.getKey() + ": " + h.getValue() + "\r\n");
        }
        out.print("\r\n");
    }

    @Override
    public void feed(byte[] data) {
        out.write(data, 0, data.length);
        bodyBytes += data.length;
    }

    @Override
    public void done() {
        out.flush();
        result.complete(bodyBytes);
    }

    @Override
    public void failed(HttpException error) {
        out.flush();
        result.completeExceptionally(error);
    }
}
