package io.asyncore.chat;

import java.net.ProtocolException;

/**
 * The peer sent more than {@link AsyncChat#maxIncomingSize()} bytes of one message without its
 * terminator. {@link AsyncChat} passes it to {@code handleError} and closes the channel.
 */
public final class MessageTooLargeException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    /** The limit the message exceeded, in bytes. */
    private final long limit;

    MessageTooLargeException(long limit, Terminator terminator) {
        super("incoming message exceeds the maximum incoming size of " + limit + " bytes without its terminator "
                + terminator + "; closing the channel (raise the limit with setMaxIncomingSize(long) if such "
                + "messages are legitimate)");
        this.limit = limit;
    }

    /** The limit that was exceeded, in bytes. */
    public long limit() {
        return limit;
    }
}
