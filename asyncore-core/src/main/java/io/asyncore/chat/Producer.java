package io.asyncore.chat;

import java.io.IOException;

/**
 * A source of outgoing data that {@link AsyncChat} pulls from only when the socket can take more:
 * Python's producer protocol (an object with {@code more()}).
 *
 * <p>Called on the loop thread, from {@link AsyncChat#initiateSend()}. A producer that throws
 * stops that send; the exception reaches the caller (from a write event: {@code handleError}).
 * A producer that is also {@link AutoCloseable} is closed by the chat once it is exhausted, or when
 * the chat drops it ({@code close()}, {@code discardBuffers()}). A producer that can send its data
 * to the socket without copying it into arrays implements {@link ZeroCopyProducer}.
 */
@FunctionalInterface
public interface Producer {
    /**
     * The next piece of data.
     *
     * @return the next bytes; an empty array (or {@code null}) once exhausted, after which the
     *     producer is dropped from the queue
     */
    byte[] more() throws IOException;
}
