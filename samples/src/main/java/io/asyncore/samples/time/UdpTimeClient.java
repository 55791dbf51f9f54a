package io.asyncore.samples.time;

import io.asyncore.Asyncore;
import io.asyncore.SocketMap;
import io.asyncore.SocketType;
import io.asyncore.TimerHandle;
import io.asyncore.samples.Failures;
import io.asyncore.samples.SampleException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * The RFC 868 time client over UDP: sends an empty datagram and completes {@link #result()} with
 * the 4-byte time of the reply. UDP may lose either datagram, so the request is sent again every
 * second, up to {@link #ATTEMPTS} times.
 *
 * <p>Threading: for the thread that runs {@code map}; {@link #result()} may be read from any thread.
 * Errors: no reply after every attempt, or a reply that is not 4 bytes, completes the result exceptionally with a {@link SampleException}.
 */
public class UdpTimeClient extends ReadOnlyDispatcher {
    /** Requests sent at most. */
    public static final int ATTEMPTS = 3;
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final InetSocketAddress server;
    private final CompletableFuture<Instant> result = new CompletableFuture<>();
    private final ByteBuffer reply = ByteBuffer.allocate(64);
    private int sent;
    private TimerHandle retry;

    /**
     * Sends the first request to {@code host:port}; the name is resolved now.
     *
     * @throws UnknownHostException if {@code host} cannot be resolved
     */
    public UdpTimeClient(String host, int port, SocketMap map) throws IOException {
        super(map);
        server = new InetSocketAddress(host, port);
        createSocket(Asyncore.protocolFamily(server), SocketType.DATAGRAM);
        // Not connected: the JDK's connected DatagramChannel silently skips empty datagrams, and
        // RFC 868 asks for an empty one. Replies from anyone but the server are ignored instead.
        ask();
    }

    /** The remote time; completes when a reply arrived or every attempt failed. */
    public CompletableFuture<Instant> result() {
        return result;
    }

    private void ask() throws IOException {
        sent++;
        sendTo(ByteBuffer.allocate(0), server);
        retry = map().callLater(RETRY, () -> {
            if (isClosed()) {
                return;
            }
            if (sent >= ATTEMPTS) {
                fail("no reply from the time server at " + Failures.format(server) + " after " + ATTEMPTS
                        + " requests over UDP (is it serving UDP on that port?)");
                return;
            }
            try {
                ask();
            } catch (IOException e) {
                handleError(e);
            }
        });
    }

    @Override
    public void handleRead() throws IOException {
        reply.clear();
        java.net.SocketAddress sender = recvFrom(reply);
        if (sender == null || !sender.equals(server)) {
            return; // nothing, or a stray datagram
        }
        reply.flip();
        if (reply.remaining() != 4) {
            fail("the time server at " + Failures.format(server) + " replied with " + reply.remaining()
                    + " bytes; RFC 868 replies are 4 bytes");
            return;
        }
        byte[] time = new byte[4];
        reply.get(time);
        finish();
        result.complete(Rfc868.decode(time, Instant.now()));
    }

    @Override
    public void handleError(Throwable error) {
        fail(Failures.describe(error, server));
    }

    @Override
    public void handleClose() {
        fail("the time server at " + Failures.format(server) + " went away");
    }

    private void fail(String message) {
        finish();
        result.completeExceptionally(new SampleException(message));
    }

    private void finish() {
        if (retry != null) {
            retry.cancel();
        }
        close();
    }
}
