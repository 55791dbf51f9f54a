package io.asyncore.samples.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A hostile HTTP server for tests: a blocking ServerSocket on 127.0.0.1 with one thread that serves
 * one connection at a time with a {@link Script} chosen by the request path, then closes it.
 * {@link #close()} stops a script in progress (via {@link #pause}) and joins the thread.
 */
public final class HostileHttpServer implements AutoCloseable {
    /** What the server does with one connection after reading the request head. */
    public interface Script {
        void serve(HostileHttpServer server, String path, OutputStream out) throws IOException;
    }

    private final ServerSocket server;
    private final Script script;
    private final Thread thread;
    private final CountDownLatch closing = new CountDownLatch(1);

    public HostileHttpServer(Script script) throws IOException {
        this.server = new ServerSocket(0, 16, InetAddress.getByName("127.0.0.1"));
        this.script = script;
        this.thread = new Thread(this::serve, "hostile-http-server");
        thread.setDaemon(true);
        thread.start();
    }

    /** A server answering every request with {@code response} (ISO-8859-1), then closing. */
    public static HostileHttpServer answering(String response) throws IOException {
        byte[] bytes = response.getBytes(StandardCharsets.ISO_8859_1);
        return new HostileHttpServer((s, path, out) -> out.write(bytes));
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
    }

    /** Waits {@code millis}; false once the server is closing (a script should stop then). */
    public boolean pause(long millis) {
        try {
            return !closing.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** True while the server is not closing. */
    public boolean running() {
        return closing.getCount() > 0;
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                String path = readPath(s.getInputStream());
                OutputStream out = s.getOutputStream();
                script.serve(this, path, out);
                out.flush();
            } catch (IOException e) {
                // closed, or the client gave up (reset, broken pipe): next connection
            }
        }
    }

    /** Reads the request head and returns the path of its request line. */
    private static String readPath(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        for (int i = 0; i < 65536 && matched < 4; i++) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
        }
        String[] parts = head.toString(StandardCharsets.ISO_8859_1).split(" ", 3);
        return parts.length > 1 ? parts[1] : "";
    }

    /** Stops accepting, ends a script in progress and joins the server thread. */
    @Override
    public void close() throws IOException {
        closing.countDown();
        server.close();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            throw new IllegalStateException("the hostile server thread did not end within 10 s");
        }
    }
}
