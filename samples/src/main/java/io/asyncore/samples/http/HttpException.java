package io.asyncore.samples.http;

import io.asyncore.samples.SampleException;

/** An HTTP request that failed: a malformed response, a truncated body, a timeout, too many redirects... */
public class HttpException extends SampleException {
    private static final long serialVersionUID = 1L;

    /** A failure described by the one-line {@code message}. */
    public HttpException(String message) {
        super(message);
    }
}
