package io.asyncore.samples;

import java.io.IOException;

/**
 * A failure of one of the sample protocols, with a complete one-line message for the user
 * (for example "server closed the connection after 2 of 4 bytes").
 */
public class SampleException extends IOException {
    private static final long serialVersionUID = 1L;

    /** A failure described by {@code message}. */
    public SampleException(String message) {
        super(message);
    }
}
