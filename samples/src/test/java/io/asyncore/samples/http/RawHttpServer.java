package io.asyncore.samples.http;

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
 * A misbehaving HTTP server for tests: a plain blocking ServerSocket on 127.0.0.1 that answers
 * every request with fixed bytes, then closes, or holds the connection open until closed.
 */
public final class RawHttpServer implements AutoCloseable {
    private final ServerSocket server;
    private final byte[] response;
    private final boolean holdOpen;
    private final Thread thread;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final java.util.List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();

    private RawHttpServer(byte[] response, boolean holdOpen) throws IOException {
        this.server = new ServerSocket(0, 16, InetAddress.getByName("127.0.0.1"));
        this.response = response;
        this.holdOpen = holdOpen;
        this.thread = new Thread(this::serve, "raw-http-server");
        thread.setDaemon(true);
        thread.start();
    }

    /** Sends {@code response} (ISO-8859-1) to each request, then closes the connection. */
    public static RawHttpServer answering(String response) throws IOException {
        return new RawHttpServer(response.getBytes(StandardCharsets.ISO_8859_1), false);
    }

    /** Sends {@code response} bytes to each request, then closes the connection. */
    public static RawHttpServer answering(byte[] response) throws IOException {
        return new RawHttpServer(response, false);
    }

    /** Sends {@code response} to each request and keeps the connection open without another byte. */
    public static RawHttpServer stalling(String response) throws IOException {
        return new RawHttpServer(response.getBytes(StandardCharsets.ISO_8859_1), true);
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
    }

    public int port() {
        return server.getLocalPort();
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                requests.add(readRequest(s.getInputStream()));
                OutputStream out = s.getOutputStream();
                out.write(response);
                out.flush();
                if (holdOpen) {
                    closing.await(30, TimeUnit.SECONDS);
                }
            } catch (IOException e) {
                // closed, or the client went away: next connection
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The request heads received so far (ISO-8859-1), oldest first. */
    public java.util.List<String> requests() {
        return java.util.List.copyOf(requests);
    }

    /** Reads up to the blank line ending the request head (64 KiB at most) and returns it. */
    private static String readRequest(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
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
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        closing.countDown();
        server.close();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
