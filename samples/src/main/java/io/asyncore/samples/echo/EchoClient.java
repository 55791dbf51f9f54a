package io.asyncore.samples.echo;

import io.asyncore.DispatcherWithSend;
import io.asyncore.SocketMap;
import io.asyncore.samples.Failures;
import io.asyncore.samples.SampleException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * Sends one message to an echo server and completes {@link #result()} with what came back once
 * as many bytes as were sent have returned.
 *
 * <p>Threading: for the thread that runs {@code map}; {@link #result()} may be read from any thread.
 * Errors: a refused connection or a server that closes early completes the result exceptionally
 * with a {@link SampleException}.
 */
public class EchoClient extends DispatcherWithSend {
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final int expected;

    /**
     * Connects to {@code host:port} and queues {@code message} (sent once connected).
     *
     * @throws java.net.UnknownHostException if {@code host} cannot be resolved
     */
    public EchoClient(String host, int port, byte[] message, SocketMap map) throws IOException {
        super(map);
        expected = message.length;
        createSocket();
        try {
            connect(host, port);
            send(message);
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    /** The echoed bytes. */
    public CompletableFuture<byte[]> result() {
        return result;
    }

    @Override
    public void handleConnect() {
        // the message is already queued
    }

    @Override
    public void handleRead() throws IOException {
        received.writeBytes(recv(8192));
        if (received.size() >= expected && !result.isDone()) {
            close();
            result.complete(received.toByteArray());
        }
    }

    @Override
    public void handleClose() {
        close();
        result.completeExceptionally(new SampleException("the echo server at " + Failures.format(addr())
                + " closed the connection after echoing " + received.size() + " of " + expected + " bytes"));
    }

    @Override
    public void handleError(Throwable error) {
        close();
        result.completeExceptionally(new SampleException(Failures.describe(error, addr())));
    }
}
