package io.asyncore.interop;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An nginx of the test's own, as the current user: its config, pid, logs and temporary files in a
 * directory of the test, a plain HTTP port that redirects everything to HTTPS, and an HTTPS port
 * that serves {@code www/} and a redirect chain ({@code /start} to {@code /moved} to
 * {@code /files/blob.bin}). It never touches a system nginx; its ports are picked free first,
 * since nginx cannot listen on port 0.
 */
final class Nginx implements AutoCloseable {
    private static final int ATTEMPTS = 3;
    final ExternalPeer process;
    final int httpPort;
    final int httpsPort;
    final Path root;
    private final Path errorLog;

    private Nginx(ExternalPeer process, int httpPort, int httpsPort, Path root, Path errorLog) {
        this.process = process;
        this.httpPort = httpPort;
        this.httpsPort = httpsPort;
        this.root = root;
        this.errorLog = errorLog;
    }

    /** Starts nginx in {@code dir} with the certificate of {@code pki}; returns once both ports accept. */
    static Nginx start(Path nginx, Path dir, Pki pki) throws IOException {
        Path root = Files.createDirectories(dir.resolve("www"));
        for (int attempt = 1; ; attempt++) {
            int[] ports = freePorts(2);
            int httpPort = ports[0];
            int httpsPort = ports[1];
            Path conf = dir.resolve("nginx.conf");
            Files.writeString(conf, config(dir, pki, httpPort, httpsPort), StandardCharsets.UTF_8);
            Path errorLog = dir.resolve("error.log");
            ExternalPeer process = ExternalPeer.start(dir, List.of(nginx.toString(), "-p", dir.toString(),
                    "-c", conf.toString(), "-e", errorLog.toString(), "-g", "daemon off;"));
            Nginx server = new Nginx(process, httpPort, httpsPort, root, errorLog);
            if (server.awaitPort(httpPort) && server.awaitPort(httpsPort)) {
                return server;
            }
            String why = server.describe();
            server.close();
            if (attempt == ATTEMPTS || !why.contains("Address already in use")) {
                fail("nginx did not start: " + why);
            }
            // another program took a port between our check and nginx's bind: pick again
        }
    }

    private static String config(Path dir, Pki pki, int httpPort, int httpsPort) {
        return """
                master_process off;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log info;
                events { worker_connections 64; }
                http {
                    access_log %1$s/access.log;
                    client_body_temp_path %1$s/client_body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    default_type application/octet-stream;
                    types { text/plain txt; }
                    server {
                        listen 127.0.0.1:%2$d;
                        server_name localhost;
                        location / { return 301 https://localhost:%3$d$request_uri; }
                    }
                    server {
                        listen 127.0.0.1:%3$d ssl;
                        server_name localhost;
                        ssl_certificate %4$s;
                        ssl_certificate_key %5$s;
                        ssl_protocols TLSv1.2 TLSv1.3;
                        root %1$s/www;
                        location = /start { return 302 /moved; }
                        location = /moved { return 301 /files/blob.bin; }
                    }
                }
                """.formatted(dir, httpPort, httpsPort, pki.certificate(), pki.key());
    }

    /** Distinct ports free on 127.0.0.1 now (all held open together, so no two are the same). */
    private static int[] freePorts(int count) throws IOException {
        ServerSocket[] probes = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                probes[i] = new ServerSocket();
                probes[i].bind(new InetSocketAddress("127.0.0.1", 0));
                ports[i] = probes[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket probe : probes) {
                if (probe != null) {
                    probe.close();
                }
            }
        }
    }

    /** Connects until the port accepts, while nginx runs, at most {@link ExternalPeer#WAIT}; waits on nginx's exit between tries. */
    private boolean awaitPort(int port) throws IOException {
        long deadline = System.nanoTime() + ExternalPeer.WAIT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return true;
            } catch (IOException notYet) {
                try {
                    if (process.awaitExit(10)) {
                        return false; // nginx ended: its output says why
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted waiting for nginx on port " + port, e);
                }
            }
        }
        return false;
    }

    /** nginx's command, state and output, and its error log: for failure messages. */
    String describe() {
        String log;
        try {
            log = Files.exists(errorLog) ? Files.readString(errorLog, StandardCharsets.UTF_8) : "(none)";
        } catch (IOException e) {
            log = "(unreadable: " + e + ")";
        }
        if (log.length() > 4000) {
            log = "[...]" + log.substring(log.length() - 4000);
        }
        return process.describe() + "\n--- its error.log:\n" + log + "---";
    }

    @Override
    public void close() {
        process.close();
    }
}
