package io.asyncore.samples.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * The demo's HTTP server: the JDK's {@code com.sun.net.httpserver} on a free loopback port (not
 * the library: it is the independent peer the HTTP clients are checked against), in plain HTTP
 * ({@link #start()}) or https ({@link #startHttps(SSLContext)}).
 *
 * <ul>
 *   <li>{@code /page}: a small page with {@code Content-Length};
 *   <li>{@code /chunked}: a page sent in pieces with chunked transfer coding (to HTTP/1.1 clients);
 *   <li>{@code /hop/1}: a redirect chain 301 → 302 → 303 → 307 → 308 → {@code /page};
 *   <li>{@code /loop/a}: redirects to {@code /loop/b}, which redirects back;
 *   <li>{@code /bytes?n=N}: N bytes of a repeating pattern, with {@code Content-Length};
 *   <li>{@code /redirect?to=URL}: a 302 to the (percent-encoded) URL, such as one on the other
 *       scheme's server.
 * </ul>
 *
 * <p>Threading: serves on two daemon threads of its own; {@link #close()} from any thread.
 */
public final class DemoHttpServer implements AutoCloseable {
    /** The body of {@code /page}. */
    public static final String PAGE = "<html><body><h1>Hello from the JDK's HTTP server</h1></body></html>\n";
    /** The pieces of {@code /chunked}, sent one chunk each. */
    public static final String[] CHUNKS = {"first piece\n", "second piece\n", "third and last piece\n"};
    /** The status codes of the {@code /hop/1} chain, in order. */
    public static final int[] HOPS = {301, 302, 303, 307, 308};

    private final HttpServer server;
    private final ExecutorService executor;
    private final String scheme;

    private DemoHttpServer(HttpServer server, ExecutorService executor, String scheme) {
        this.server = server;
        this.executor = executor;
        this.scheme = scheme;
    }

    /** Starts serving plain HTTP on a free port of 127.0.0.1. */
    public static DemoHttpServer start() throws IOException {
        return serve(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16), "http");
    }

    /**
     * Starts serving https on a free port of 127.0.0.1 with the certificate of {@code context}
     * (for example {@code DemoCertificates.serverContext()}).
     */
    public static DemoHttpServer startHttps(SSLContext context) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        return serve(server, "https");
    }

    private static DemoHttpServer serve(HttpServer server, String scheme) {
        server.createContext("/page", ex -> send(ex, 200, PAGE.getBytes(StandardCharsets.UTF_8), Map.of()));
        server.createContext("/chunked", DemoHttpServer::chunked);
        server.createContext("/hop/", DemoHttpServer::hop);
        server.createContext("/loop/", ex -> {
            String to = ex.getRequestURI().getPath().endsWith("/a") ? "/loop/b" : "/loop/a";
            send(ex, 302, new byte[0], Map.of("Location", to));
        });
        server.createContext("/bytes", DemoHttpServer::bytes);
        server.createContext("/redirect", ex -> {
            String query = ex.getRequestURI().getRawQuery();
            String to = query != null && query.startsWith("to=") ? URLDecoder.decode(query.substring(3), StandardCharsets.UTF_8) : "/page";
            send(ex, 302, new byte[0], Map.of("Location", to));
        });
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "demo-http-server");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        return new DemoHttpServer(server, executor, scheme);
    }

    /** {@code http://127.0.0.1:port} (or {@code https://}) followed by {@code path}. */
    public URI url(String path) {
        return URI.create(scheme + "://127.0.0.1:" + port() + path);
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The body {@code /bytes?n=N} sends: byte i is {@code i * 31 mod 256}. */
    public static byte byteAt(long i) {
        return (byte) (i * 31);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private static void hop(HttpExchange ex) throws IOException {
        String scheme = ex instanceof HttpsExchange ? "https" : "http";
        int n;
        try {
            n = Integer.parseInt(ex.getRequestURI().getPath().substring("/hop/".length()));
        } catch (NumberFormatException e) {
            n = 0;
        }
        if (n < 1 || n > HOPS.length) {
            send(ex, 404, "no such hop\n".getBytes(StandardCharsets.UTF_8), Map.of());
            return;
        }
        // Relative and absolute Location values both occur in the wild: use both.
        String to = n == HOPS.length ? "/page" : n % 2 == 0 ? scheme + "://127.0.0.1:" + ex.getLocalAddress().getPort() + "/hop/" + (n + 1)
                : "/hop/" + (n + 1);
        send(ex, HOPS[n - 1], ("moved to " + to + "\n").getBytes(StandardCharsets.UTF_8), Map.of("Location", to));
    }

    private static void chunked(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(200, 0); // 0: length unknown, chunked for HTTP/1.1
        try (OutputStream body = ex.getResponseBody()) {
            for (String piece : CHUNKS) {
                body.write(piece.getBytes(StandardCharsets.UTF_8));
                body.flush();
            }
        }
    }

    private static void bytes(HttpExchange ex) throws IOException {
        String query = ex.getRequestURI().getQuery();
        long n = query != null && query.startsWith("n=") ? Long.parseLong(query.substring(2)) : 0;
        ex.sendResponseHeaders(200, n == 0 ? -1 : n);
        try (OutputStream body = ex.getResponseBody()) {
            byte[] block = new byte[64 * 1024];
            for (long sent = 0; sent < n; ) {
                int len = (int) Math.min(block.length, n - sent);
                for (int i = 0; i < len; i++) {
                    block[i] = byteAt(sent + i);
                }
                body.write(block, 0, len);
                sent += len;
            }
        }
    }

    private static void send(HttpExchange ex, int code, byte[] body, Map<String, String> headers) throws IOException {
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
