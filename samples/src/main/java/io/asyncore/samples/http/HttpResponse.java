package io.asyncore.samples.http;

/**
 * A whole HTTP response, as {@link BufferingConsumer} collects it.
 *
 * @param head the status line and headers
 * @param body the body, decoded from chunked transfer coding
 */
public record HttpResponse(HttpResponseHead head, byte[] body) {
}
