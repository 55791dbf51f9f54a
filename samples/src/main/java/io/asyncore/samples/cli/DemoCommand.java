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
import io.asyncore.samples.http.BasicHttpClient;
import io.asyncore.samples.http.BufferingConsumer;
import io.asyncore.samples.http.DemoHttpServer;
import io.asyncore.samples.http.HttpException;
import io.asyncore.samples.http.HttpResponse;
import io.asyncore.samples.http.RedirectingConsumer;
import io.asyncore.samples.time.Rfc868;
import io.asyncore.samples.time.TimeClient;
import io.asyncore.samples.time.TimeServer;
import io.asyncore.samples.time.UdpTimeClient;
import io.asyncore.samples.time.UdpTimeServer;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code demo}: starts the time, echo and HTTP servers on free loopback ports, runs every client
 * against them and prints what each got. Exit code 1 if any client failed.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run every sample against embedded servers on loopback and print what each got (the default).")
final class DemoCommand implements Callable<Integer> {
    private static final Duration LIMIT = Duration.ofSeconds(10);
    private static final String ECHO_MESSAGE = "hello, asyncore";

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
        int timePort = time.port();
        int udpPort = udpTime.port();
        int echoPort = echo.port();
        try (BackgroundLoop servers = BackgroundLoop.start(serverMap, "demo-servers");
                DemoHttpServer http = DemoHttpServer.start()) {
            out.println("asyncore samples demo: every client against embedded servers on loopback");
            out.println("  time server  127.0.0.1:" + timePort + " (TCP), 127.0.0.1:" + udpPort + " (UDP)");
            out.println("  echo server  127.0.0.1:" + echoPort);
            out.println("  HTTP server  " + http.url("/") + " (the JDK's com.sun.net.httpserver)");
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
            step("http-get https://...", map -> expectFailure(map, URI.create("https://127.0.0.1:" + http.port() + "/page")));
            step("echo client", map -> {
                byte[] got = Loops.runUntilDone(map,
                        new EchoClient("127.0.0.1", echoPort, ECHO_MESSAGE.getBytes(StandardCharsets.UTF_8), map).result(),
                        LIMIT, "the echo client").join();
                return "sent \"" + ECHO_MESSAGE + "\", got back \"" + new String(got, StandardCharsets.UTF_8) + "\"";
            });
            out.println();
            out.println("coroutine style (suspend functions on the loop):");
            step("time-client TCP", map -> Rfc868.describe(CoroutineSamples.fetchTime(map, "127.0.0.1", timePort, LIMIT), Instant.now()));
            step("http-get /page", map -> coroutineGet(map, http.url("/page")));
            step("http-get /chunked", map -> coroutineGet(map, http.url("/chunked")));
            step("http-get /hop/1", map -> coroutineGet(map, http.url("/hop/1")));
            step("http-get /loop/a", map -> coroutineFailure(map, http.url("/loop/a")));
            step("http-get https://...", map -> coroutineFailure(map, URI.create("https://127.0.0.1:" + http.port() + "/page")));
            step("echo client", map -> {
                byte[] got = CoroutineSamples.echo(map, "127.0.0.1", echoPort, ECHO_MESSAGE.getBytes(StandardCharsets.UTF_8), LIMIT);
                return "sent \"" + ECHO_MESSAGE + "\", got back \"" + new String(got, StandardCharsets.UTF_8) + "\"";
            });
            step("echo server (Flow)", map -> echoServer(map, "coroutine", 2));
            step("mixed echo server", map -> echoServer(map, "mixed", 4));
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
        BufferingConsumer response = new BufferingConsumer();
        RedirectingConsumer redirecting = new RedirectingConsumer(response, map);
        redirecting.start(url);
        HttpResponse r = Loops.runUntilDone(map, response.result(), LIMIT, "the request for " + url).join();
        return describe(r, redirecting.chain().subList(1, redirecting.chain().size()));
    }

    private static String coroutineGet(SocketMap map, URI url) throws java.io.IOException {
        List<URI> redirects = new ArrayList<>();
        HttpResponse r = CoroutineSamples.httpGet(map, url, RedirectingConsumer.DEFAULT_MAX_REDIRECTS, LIMIT, redirects::add);
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
        List<String> servedBy = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (RunningServer server = CoroutineEchoServers.start(style, new InetSocketAddress("127.0.0.1", 0),
                (peer, how) -> servedBy.add(how))) {
            for (int i = 1; i <= clients; i++) {
                byte[] message = ("message " + i).getBytes(StandardCharsets.UTF_8);
                byte[] got = i % 2 == 1
                        ? Loops.runUntilDone(map, new EchoClient("127.0.0.1", server.port(), message, map).result(), LIMIT,
                                "the echo client").join()
                        : CoroutineSamples.echo(map, "127.0.0.1", server.port(), message, LIMIT);
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
                : redirects.size() + " redirects (" + redirects.stream().map(URI::getPath).collect(Collectors.joining(" -> ")) + "), then ";
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

    private static String firstLine(String text) {
        int end = text.indexOf('\r');
        return end < 0 ? text : text.substring(0, end);
    }
}
