package io.asyncore.samples.echo;

import io.asyncore.DispatcherWithSend;
import io.asyncore.SocketMap;
import io.asyncore.Tls;
import io.asyncore.samples.Failures;
import io.asyncore.samples.SampleException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;

/**
 * Sends one message to an echo server and completes {@link #result()} with what came back once
 * as many bytes as were sent have returned; over TLS too ({@link #EchoClient(String, int, byte[],
 * SocketMap, SSLContext)}).
 *
 * <p>Threading: for the thread that runs {@code map}; {@link #result()} may be read from any thread.
 * Errors: a refused connection, a server that closes early, or a TLS failure (an untrusted
 * certificate...) completes the result exceptionally with a one-line {@link SampleException}.
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
        this(host, port, message, map, null);
    }

    /**
     * Connects to {@code host:port}, over TLS if {@code trust} is given: a client engine of
     * {@code trust} ({@link Tls#clientEngine(SSLContext, String, int)}: SNI, and the certificate
     * must be valid for {@code host}). The message is queued, and sent once the handshake is done.
     *
     * @param trust the client TLS context (for example {@link Tls#trusting}), or {@code null} for plaintext
     * @throws java.net.UnknownHostException if {@code host} cannot be resolved
     */
    public EchoClient(String host, int port, byte[] message, SocketMap map, SSLContext trust) throws IOException {
        super(map);
        expected = message.length;
        createSocket();
        try {
            connect(host, port);
            if (trust != null) { // before the message is queued: queued bytes would go out in plaintext
                startTls(Tls.clientEngine(trust, host, port));
            }
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
