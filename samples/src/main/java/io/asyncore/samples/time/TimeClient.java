package io.asyncore.samples.time;

import io.asyncore.SocketMap;
import io.asyncore.samples.Connecting;
import io.asyncore.samples.Failures;
import io.asyncore.samples.SampleException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * The RFC 868 time client over TCP: connects, reads the 4-byte time, and completes
 * {@link #result()} with it.
 *
 * <pre>{@code
 * TimeClient client = new TimeClient("127.0.0.1", 8037, map);
 * Asyncore.loop(Duration.ofSeconds(1), false, map);
 * System.out.println(client.result().join());
 * }</pre>
 *
 * <p>Threading: for the thread that runs {@code map}; {@link #result()} may be read from any thread.
 * Errors: a refused connection, a server that closes before sending 4 bytes, or any other failure
 * completes the result exceptionally with a {@link SampleException} whose message is one line.
 */
public class TimeClient extends ReadOnlyDispatcher {
    private final ByteArrayOutputStream received = new ByteArrayOutputStream(4);
    private final CompletableFuture<Instant> result = new CompletableFuture<>();

    /**
     * Starts connecting to {@code host:port}; the name is resolved now.
     *
     * @throws java.net.UnknownHostException if {@code host} cannot be resolved
     */
    public TimeClient(String host, int port, SocketMap map) throws IOException {
        super(map);
        Connecting.connect(this, host, port);
    }

    /** The remote time; completes when the 4 bytes arrived or the exchange failed. */
    public CompletableFuture<Instant> result() {
        return result;
    }

    @Override
    public void handleConnect() {
        // nothing to do: wait for the time
    }

    @Override
    public void handleRead() throws IOException {
        byte[] data = recv(4 - received.size());
        received.writeBytes(data);
        if (received.size() == 4) {
            close();
            result.complete(Rfc868.decode(received.toByteArray(), Instant.now()));
        }
    }

    @Override
    public void handleClose() {
        close();
        result.completeExceptionally(new SampleException("the time server at " + Failures.format(addr())
                + " closed the connection after " + received.size() + " of 4 bytes"));
    }

    @Override
    public void handleError(Throwable error) {
        close();
        result.completeExceptionally(new SampleException(Failures.describe(error, addr())));
    }
}
