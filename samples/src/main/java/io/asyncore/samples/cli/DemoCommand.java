package io.asyncore.samples.cli;

import io.asyncore.SocketMap;
import io.asyncore.samples.BackgroundLoop;
import io.asyncore.samples.Failures;
import io.asyncore.samples.Loops;
import io.asyncore.samples.SampleException;
import io.asyncore.samples.echo.CoroutineEchoServers;
import io.asyncore.samples.echo.EchoClient;
import io.asyncore.samples.echo.EchoServer;
import io.asyncore.samples.echo.RunningServer;
import io.asyncore.samples.echo.TlsEchoServer;
import io.asyncore.samples.http.BasicHttpClient;
import io.asyncore.samples.http.BufferingConsumer;
import io.asyncore.samples.http.DemoHttpServer;
import io.asyncore.samples.http.HttpException;
import io.asyncore.samples.http.HttpLimits;
import io.asyncore.samples.http.HttpResponse;
import io.asyncore.samples.http.RedirectingConsumer;
import io.asyncore.samples.starttls.StartTlsClient;
import io.asyncore.samples.starttls.StartTlsServer;
import io.asyncore.samples.time.CoroutineTimeServers;
import io.asyncore.samples.time.Rfc868;
import io.asyncore.samples.time.TimeClient;
import io.asyncore.samples.time.TimeServer;
import io.asyncore.samples.time.UdpTimeClient;
import io.asyncore.samples.time.UdpTimeServer;
import io.asyncore.samples.tls.DemoCertificates;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code demo}: starts the time, echo, HTTP and TLS servers on free loopback ports, runs every
 * client against them and prints what each got. Exit code 1 if any client failed. TLS uses the
 * certificate shipped for the demo ({@link DemoCertificates}: NOT FOR PRODUCTION — demo only, the
 * private key is public).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run every sample against embedded servers on loopback and print what each got (the default).",
                "TLS uses a certificate shipped for the demo: " + DemoCertificates.WARNING + "."})
final class DemoCommand implements Callable<Integer> {
    private static final Duration LIMIT = Duration.ofSeconds(10);
    private static final String ECHO_MESSAGE = "hello, asyncore";
    private static final List<String> STARTTLS_COMMANDS =
            List.of("HELLO demo", "SECRET", "STARTTLS", "HELLO demo", "SECRET", "QUIT");

    @ParentCommand
    private Main main;

    private int failures;

    /** One client run: returns what it got, or throws with a one-line reason. */
    interface Step {
        String run(SocketMap map) throws Exception;
    }

    @Override
    @SuppressWarnings("try") // the servers' try block keeps them up without naming them
    public Integer call() throws Exception {
        PrintStream out = main.out;
        SocketMap serverMap = new SocketMap();
        TimeServer time = new TimeServer(new InetSocketAddress("127.0.0.1", 0), Clock.systemUTC(), serverMap);
        UdpTimeServer udpTime = new UdpTimeServer(new InetSocketAddress("127.0.0.1", 0), Clock.systemUTC(), serverMap);
        EchoServer echo = new EchoServer(new InetSocketAddress("127.0.0.1", 0), serverMap, addr -> { });
        DemoCertificates certs = DemoCertificates.extract();
        SSLContext trust = certs.clientContext();
        TlsEchoServer tlsEcho = new TlsEchoServer(new InetSocketAddress("127.0.0.1", 0), 0, serverMap, certs.serverContext(),
                addr -> { }, (addr, e) -> { });
        StartTlsServer startTls = new StartTlsServer(new InetSocketAddress("127.0.0.1", 0), serverMap, certs.serverContext(),
                addr -> { }, (addr, e) -> { });
        int timePort = time.port();
        int udpPort = udpTime.port();
        int echoPort = echo.port();
        int tlsEchoPort = tlsEcho.port();
        int startTlsPort = startTls.port();
        try (BackgroundLoop servers = BackgroundLoop.start(serverMap, "demo-servers");
                DemoHttpServer http = DemoHttpServer.start();
                DemoHttpServer https = DemoHttpServer.startHttps(certs.serverContext())) {
            out.println("asyncore samples demo: every client against embedded servers on loopback");
            out.println("  time server      127.0.0.1:" + timePort + " (TCP), 127.0.0.1:" + udpPort + " (UDP)");
            out.println("  echo server      127.0.0.1:" + echoPort);
            out.println("  HTTP server      " + http.url("/") + " (the JDK's com.sun.net.httpserver)");
            out.println("  HTTPS server     " + https.url("/") + " (the JDK's HttpsServer)");
            out.println("  TLS echo server  127.0.0.1:" + tlsEchoPort + " (echo-server --tls-cert --tls-key)");
            out.println("  STARTTLS server  127.0.0.1:" + startTlsPort + " (AsyncChat)");
            out.println("  TLS certificate  a demo CA and a server certificate for 127.0.0.1 and localhost, shipped in the jar:");
            out.println("                   " + DemoCertificates.WARNING);
            out.println("                   copies in " + certs.folder() + " (--cacert " + certs.ca().getFileName() + ")");
            out.println();
            out.println("callback style (Dispatcher subclasses):");
            step("time-client TCP", map -> describe(new TimeClient("127.0.0.1", timePort, map).result(), map));
            step("time-client UDP", map -> describe(new UdpTimeClient("127.0.0.1", udpPort, map).result(), map));
            step("basic HTTP client /page", map -> {
                byte[] raw = Loops.runUntilDone(map, new BasicHttpClient("127.0.0.1", http.port(), "/page", map).result(),
                        LIMIT, "the basic HTTP client").join();
                String text = new String(raw, StandardCharsets.ISO_8859_1);
                return firstLine(text) + ", " + raw.length + " bytes in all (raw, unparsed)";
            });
            step("http-get /page", map -> get(map, http.url("/page")));
            step("http-get /chunked", map -> get(map, http.url("/chunked")));
            step("http-get /hop/1", map -> get(map, http.url("/hop/1")));
            step("http-get /loop/a", map -> expectFailure(map, http.url("/loop/a")));
            step("echo client", map -> echo(map, echoPort, null));
            out.println();
            out.println("TLS, callback style (the same dispatchers after startTls; --cacert trusts the demo CA):");
            step("http-get https:// /page", map -> get(map, https.url("/page"), trust));
            step("http-get https:// /chunked", map -> get(map, https.url("/chunked"), trust));
            step("http-get http -> https", map -> get(map, http.url("/redirect?to="
                    + URLEncoder.encode(https.url("/hop/4").toString(), StandardCharsets.UTF_8)), trust));
            step("http-get, no --cacert", map -> untrusted(https.url("/page")));
            step("TLS echo client", map -> echo(map, tlsEchoPort, trust));
            step("STARTTLS client", map -> startTls(map, startTlsPort, trust));
            step("STARTTLS injection", map -> injection(startTlsPort));
            out.println();
            out.println("coroutine style (suspend functions on the loop):");
            step("time-client TCP", map -> Rfc868.describe(CoroutineSamples.fetchTime(map, "127.0.0.1", timePort, LIMIT), Instant.now()));
            step("time-client UDP", map -> Rfc868.describe(CoroutineSamples.fetchUdpTime(map, "127.0.0.1", udpPort, LIMIT), Instant.now()));
            step("time-server UDP", map -> {
                try (RunningServer server = CoroutineTimeServers.startUdp(new InetSocketAddress("127.0.0.1", 0), Clock.systemUTC())) {
                    return "the callback client got " + describe(new UdpTimeClient("127.0.0.1", server.port(), map).result(), map);
                }
            });
            step("http-get /page", map -> coroutineGet(map, http.url("/page")));
            step("http-get /chunked", map -> coroutineGet(map, http.url("/chunked")));
            step("http-get /hop/1", map -> coroutineGet(map, http.url("/hop/1")));
            step("http-get /loop/a", map -> coroutineFailure(map, http.url("/loop/a")));
            step("echo client", map -> {
                byte[] got = CoroutineSamples.echo(map, "127.0.0.1", echoPort, ECHO_MESSAGE.getBytes(StandardCharsets.UTF_8), LIMIT);
                return echoed(got);
            });
            step("echo server (Flow)", map -> echoServer(map, "coroutine", 2));
            step("mixed echo server", map -> echoServer(map, "mixed", 4));
            out.println();
            out.println("TLS, coroutine style (SuspendingSocket.startTls, SuspendingServer.tlsConnections; the demo CA trusted):");
            step("http-get https:// /page", map -> coroutineGet(map, https.url("/page"), trust));
            step("http-get https:// /chunked", map -> coroutineGet(map, https.url("/chunked"), trust));
            step("http-get http -> https", map -> coroutineGet(map, http.url("/redirect?to="
                    + URLEncoder.encode(https.url("/hop/4").toString(), StandardCharsets.UTF_8)), trust));
            step("http-get, no --cacert", map -> untrusted(https.url("/page"), "coroutine"));
            step("TLS echo client", map -> echoed(CoroutineSamples.echo(map, "127.0.0.1", tlsEchoPort,
                    ECHO_MESSAGE.getBytes(StandardCharsets.UTF_8), trust, LIMIT)));
            step("TLS echo server (Flow)", map -> echoServer(map, "coroutine", 2, certs));
            step("mixed TLS echo server", map -> echoServer(map, "mixed", 4, certs));
            step("STARTTLS client", map -> startTlsReplies(CoroutineSamples.startTls(map, "127.0.0.1", startTlsPort,
                    STARTTLS_COMMANDS, trust, LIMIT)));
        }
        out.println();
        out.println(failures == 0 ? "demo finished: every sample worked" : "demo finished: " + failures + " sample(s) failed");
        return failures == 0 ? 0 : 1;
    }

    private void step(String name, Step step) {
        String line;
        try (SocketMap map = new SocketMap()) {
            line = step.run(map);
        } catch (Exception e) {
            failures++;
            line = "FAILED: " + Failures.describe(e, null);
        }
        main.out.printf("  %-26s %s%n", name, line);
        main.out.flush();
    }

    private static String describe(java.util.concurrent.CompletableFuture<Instant> result, SocketMap map) {
        Instant remote = Loops.runUntilDone(map, result, LIMIT, "the time client").join();
        return Rfc868.describe(remote, Instant.now());
    }

    private static String get(SocketMap map, URI url) {
        return get(map, url, null);
    }

    /** A GET following redirects; https trusts {@code trust} (null: the JDK's trust store). */
    private static String get(SocketMap map, URI url, SSLContext trust) {
        BufferingConsumer response = new BufferingConsumer();
        RedirectingConsumer redirecting = new RedirectingConsumer(response, map, RedirectingConsumer.DEFAULT_MAX_REDIRECTS,
                HttpLimits.DEFAULTS, trust);
        redirecting.start(url);
        HttpResponse r = Loops.runUntilDone(map, response.result(), LIMIT, "the request for " + url).join();
        return describe(r, redirecting.chain().subList(1, redirecting.chain().size()));
    }

    private static String coroutineGet(SocketMap map, URI url) throws java.io.IOException {
        return coroutineGet(map, url, null);
    }

    /** The suspending GET following redirects; https trusts {@code trust} (null: the JDK's trust store). */
    private static String coroutineGet(SocketMap map, URI url, SSLContext trust) throws java.io.IOException {
        List<URI> redirects = new ArrayList<>();
        HttpResponse r = CoroutineSamples.httpGet(map, url, RedirectingConsumer.DEFAULT_MAX_REDIRECTS,
                HttpLimits.DEFAULTS.withIdleTimeout(LIMIT), trust, redirects::add);
        return describe(r, redirects);
    }

    private static String coroutineFailure(SocketMap map, URI url) {
        try {
            CoroutineSamples.httpGet(map, url, RedirectingConsumer.DEFAULT_MAX_REDIRECTS, LIMIT, to -> { });
        } catch (HttpException e) {
            return "refused as expected: " + e.getMessage();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new IllegalStateException("the request for " + url + " should have failed, and it succeeded");
    }

    /** Starts the {@code style} echo server and has {@code clients} clients, alternately callback and suspending, use it. */
    private static String echoServer(SocketMap map, String style, int clients) throws Exception {
        return echoServer(map, style, clients, null);
    }

    /** {@link #echoServer(SocketMap, String, int)}, over TLS with the demo certificate when {@code certs} is given. */
    private static String echoServer(SocketMap map, String style, int clients, DemoCertificates certs) throws Exception {
        List<String> servedBy = new java.util.concurrent.CopyOnWriteArrayList<>();
        SSLContext trust = certs == null ? null : certs.clientContext();
        try (RunningServer server = CoroutineEchoServers.start(style, new InetSocketAddress("127.0.0.1", 0), 0,
                certs == null ? null : certs.serverContext(), (peer, how) -> servedBy.add(how))) {
            for (int i = 1; i <= clients; i++) {
                byte[] message = ("message " + i).getBytes(StandardCharsets.UTF_8);
                byte[] got = i % 2 == 1
                        ? Loops.runUntilDone(map, new EchoClient("127.0.0.1", server.port(), message, map, trust).result(), LIMIT,
                                "the echo client").join()
                        : CoroutineSamples.echo(map, "127.0.0.1", server.port(), message, trust, LIMIT);
                if (!java.util.Arrays.equals(message, got)) {
                    throw new SampleException("client " + i + " sent \"message " + i + "\" and got back \""
                            + new String(got, StandardCharsets.UTF_8) + "\"");
                }
            }
        }
        return clients + " clients (callback and suspending, alternately) each got their message back; connections served by "
                + String.join(", ", servedBy);
    }

    private static String describe(HttpResponse r, List<URI> redirects) {
        String framing = r.head().header("Transfer-Encoding").map(te -> "Transfer-Encoding " + te)
                .or(() -> r.head().header("Content-Length").map(cl -> "Content-Length " + cl))
                .orElse("ended by close");
        String via = redirects.isEmpty() ? ""
                : redirects.size() + " redirects (" + redirects.stream().map(u -> u.getPath() + ("https".equals(u.getScheme()) ? " (https)" : ""))
                        .collect(Collectors.joining(" -> ")) + "), then ";
        String body = new String(r.body(), StandardCharsets.UTF_8).strip().replace("\n", " | ");
        return via + r.head().statusLine() + ", " + framing + ", " + r.body().length + " bytes: " + body;
    }

    private static String expectFailure(SocketMap map, URI url) {
        BufferingConsumer response = new BufferingConsumer();
        new RedirectingConsumer(response, map).start(url);
        try {
            Loops.runUntilDone(map, response.result(), LIMIT, "the request for " + url).join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof HttpException h && !h.getMessage().contains("gave no result")) {
                return "refused as expected: " + h.getMessage();
            }
            throw e;
        }
        throw new IllegalStateException("the request for " + url + " should have failed, and it succeeded");
    }

    /** The echo client, over TLS if {@code trust} is given. */
    private static String echo(SocketMap map, int port, SSLContext trust) throws java.io.IOException {
        byte[] got = Loops.runUntilDone(map,
                new EchoClient("127.0.0.1", port, ECHO_MESSAGE.getBytes(StandardCharsets.UTF_8), map, trust).result(),
                LIMIT, "the echo client").join();
        return echoed(got);
    }

    private static String echoed(byte[] got) {
        return "sent \"" + ECHO_MESSAGE + "\", got back \"" + new String(got, StandardCharsets.UTF_8) + "\"";
    }

    /** {@code http-get URL} without {@code --cacert}, as a user would type it: the one error line it prints. */
    private static String untrusted(URI url) throws SampleException {
        return untrusted(url, "callback");
    }

    /** {@code http-get --style STYLE URL} without {@code --cacert}: the one error line it prints. */
    private static String untrusted(URI url, String style) throws SampleException {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = Main.run(new String[] {"http-get", "--style", style, url.toString()}, new PrintStream(java.io.OutputStream.nullOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        String line = err.toString(StandardCharsets.UTF_8).strip();
        if (code != 1 || !line.startsWith("error: the peer's certificate is not trusted")) {
            throw new SampleException("http-get " + url + " without --cacert should fail as untrusted; it exited " + code
                    + " with \"" + line + "\"");
        }
        return "refused as expected, exit code 1: " + line;
    }

    /** The STARTTLS conversation: the server's replies, and the TLS session between them. */
    private static String startTls(SocketMap map, int port, SSLContext trust) throws java.io.IOException {
        StartTlsClient client = new StartTlsClient("127.0.0.1", port, STARTTLS_COMMANDS, trust, map);
        return startTlsReplies(Loops.runUntilDone(map, client.result(), LIMIT, "the STARTTLS client").join());
    }

    /** A STARTTLS transcript as the demo shows it: the replies after the greeting, and the TLS session between them. */
    private static String startTlsReplies(List<String> transcript) {
        return transcript.stream().filter(l -> !l.startsWith("C: ")).map(l -> l.startsWith("S: ") ? l.substring(3) : l)
                .skip(1).collect(Collectors.joining(" | "));
    }

    /** A peer that sends {@code STARTTLS\r\nSECRET\r\n} in one packet: the injected line is never answered. */
    private static String injection(int port) throws java.io.IOException {
        try (Socket attacker = new Socket("127.0.0.1", port)) {
            attacker.setSoTimeout((int) LIMIT.toMillis());
            attacker.getOutputStream().write("STARTTLS\r\nSECRET\r\n".getBytes(StandardCharsets.US_ASCII));
            String answered = new String(attacker.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            if (answered.contains("secret") || answered.contains("530")) {
                throw new SampleException("the injected SECRET was answered: " + answered.strip().replace("\r\n", " | "));
            }
        }
        return "\"STARTTLS\\r\\nSECRET\\r\\n\" in one packet: the server closed without answering SECRET (CVE-2011-0411)";
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\r');
        return end < 0 ? text : text.substring(0, end);
    }
}
