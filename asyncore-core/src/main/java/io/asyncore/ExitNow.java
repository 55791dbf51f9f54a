package io.asyncore;

/**
 * Thrown from a handler to leave {@link Asyncore#loop() the loop} at once: Python's {@code asyncore.ExitNow}.
 *
 * <p>The loop never routes it to {@link Dispatcher#handleError(Throwable)}; it propagates out of
 * {@code loop()}/{@code poll()} to the caller, leaving every dispatcher in the map as it was.
 */
public class ExitNow extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An {@code ExitNow} without a message. */
    public ExitNow() {
        super();
    }

    /** An {@code ExitNow} carrying a message for whoever catches it. */
    public ExitNow(String message) {
        super(message);
    }
}
