package io.asyncore.samples.http;

import io.asyncore.Dispatcher;
import io.asyncore.SocketMap;
import io.asyncore.samples.Connecting;
import io.asyncore.samples.Failures;
import io.asyncore.samples.SampleException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * The documentation's basic HTTP client, line for line: it sends an HTTP/1.0 {@code GET}, and
 * collects everything the server sends until it closes. No parsing: see {@link AsyncHttp} for a
 * client that understands the response.
 *
 * <pre>{@code
 * BasicHttpClient client = new BasicHttpClient("www.python.org", 80, "/", map);
 * Asyncore.loop(Duration.ofSeconds(1), false, map);
 * System.out.write(client.result().join());
 * }</pre>
 *
 * <p>Threading: for the thread that runs {@code map}; {@link #result()} may be read from any thread.
 * Errors complete {@link #result()} exceptionally with a one-line {@link SampleException}.
 */
public class BasicHttpClient extends Dispatcher {
    private final ByteBuffer buffer;
    private final ByteArrayOutputStream response = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();

    /**
     * Connects to {@code host:port} to fetch {@code path}; the name is resolved now.
     *
     * @throws java.net.UnknownHostException if {@code host} cannot be resolved
     */
    public BasicHttpClient(String host, int port, String path, SocketMap map) throws IOException {
        super(map);
        Connecting.connect(this, host, port);
        String hostHeader = port == 80 ? host : host + ":" + port;
        buffer = ByteBuffer.wrap(("GET " + path + " HTTP/1.0\r\nHost: " + hostHeader + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    }

    /** The raw response (status line, headers and body) once the server closed the connection. */
    public CompletableFuture<byte[]> result() {
        return result;
    }

    @Override
    public void handleConnect() {
        // the request goes out in handleWrite()
    }

    @Override
    public void handleClose() {
        close();
        result.complete(response.toByteArray());
    }

    @Override
    public void handleRead() throws IOException {
        response.writeBytes(recv(8192));
    }

    /** Write interest while some of the request is unsent, as in the documentation. */
    @Override
    public boolean writable() {
        return buffer != null && buffer.hasRemaining();
    }

    @Override
    public void handleWrite() throws IOException {
        send(buffer);
    }

    @Override
    public void handleError(Throwable error) {
        close();
        result.completeExceptionally(new SampleException(Failures.describe(error, addr())));
    }
}
