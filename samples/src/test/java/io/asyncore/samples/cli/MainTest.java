package io.asyncore.samples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.SocketMap;
import io.asyncore.samples.BackgroundLoop;
import io.asyncore.samples.http.DemoHttpServer;
import io.asyncore.samples.http.HostileHttpServer;
import io.asyncore.samples.http.RawHttpServer;
import io.asyncore.samples.time.TimeServer;
import io.asyncore.samples.time.UdpTimeServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@SuppressWarnings("try") // try-with-resources keeps servers up for a block without naming them
@Timeout(60)
class MainTest {
    /** What one command line printed and returned. */
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A failing run: exit code 1 and exactly one line on stderr, starting "error: ". */
    static String oneLineError(Run r) {
        assertEquals(1, r.code(), r::toString);
        String err = r.err();
        assertTrue(err.startsWith("error: ") && err.endsWith(System.lineSeparator())
                && err.indexOf('\n') == err.length() - 1, () -> "not one error line: " + r);
        return err.strip();
    }

    @Test
    void versionIsTheOneWrittenInTheRootPom() throws Exception {
        String pom = java.nio.file.Files.readString(java.nio.file.Path.of("..", "pom.xml"));
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("<artifactId>asyncore-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(m.find(), "no version in ../pom.xml");
        Run r = run("--version");
        assertEquals(0, r.code(), r::toString);
        assertEquals("asyncore-samples " + m.group(1), r.out().strip());
    }

    @Test
    void helpListsEverySubcommand() {
        Run r = run("--help");
        assertEquals(0, r.code());
        for (String sub : new String[] {"demo", "time-server", "time-client", "http-get", "echo-server"}) {
            assertTrue(r.out().contains(sub), () -> sub + " missing from " + r.out());
        }
    }

    @Test
    void demoRunsEverySampleAndSucceeds() {
        Run r = run("demo");
        assertEquals(0, r.code(), r::toString);
        assertTrue(!r.out().contains("FAILED"), r.out());
        String callback = r.out().substring(r.out().indexOf("callback style"), r.out().indexOf("coroutine style"));
        String coroutine = r.out().substring(r.out().indexOf("coroutine style"));
        for (String step : new String[] {"time-client TCP", "time-client UDP", "basic HTTP client", "http-get /page",
                "http-get /chunked", "http-get /hop/1", "http-get /loop/a", "echo client"}) {
            assertTrue(callback.contains("  " + step), () -> step + ": " + r.out());
        }
        for (String step : new String[] {"time-client TCP", "time-client UDP", "time-server UDP", "http-get /page", "http-get /chunked", "http-get /hop/1",
                "http-get /loop/a", "echo client", "echo server (Flow)", "mixed echo server"}) {
            assertTrue(coroutine.contains("  " + step), () -> step + ": " + r.out());
        }
        assertTrue(coroutine.contains("connections served by callback, coroutine, callback, coroutine"), r.out());
        assertTrue(r.out().contains("sent \"hello, asyncore\", got back \"hello, asyncore\""), r.out());
        assertEquals(2, r.out().split("5 redirects \\(/hop/2 -> /hop/3 -> /hop/4 -> /hop/5 -> /page\\), then HTTP/1\\.1 200 OK", -1).length - 1,
                r.out());
        assertTrue(r.out().contains("demo finished: every sample worked"), r.out());
    }

    @Test
    void noArgumentsMeansTheDemo() {
        Run r = run();
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("asyncore samples demo"), r.out());
    }

    @Test
    void timeClientPrintsTheRemoteTimeInEveryStyle() throws Exception {
        SocketMap servers = new SocketMap();
        Clock clock = Clock.fixed(java.time.Instant.parse("2026-11-22T06:20:00Z"), java.time.ZoneOffset.UTC);
        TimeServer tcp = new TimeServer(new InetSocketAddress("127.0.0.1", 0), clock, servers);
        int port = tcp.port();
        new UdpTimeServer(new InetSocketAddress("127.0.0.1", port), clock, servers);
        try (BackgroundLoop loop = BackgroundLoop.start(servers, "time")) {
            for (String[] args : new String[][] {{"time-client", "127.0.0.1", "--port", "" + port},
                    {"time-client", "127.0.0.1", "--port", "" + port, "--udp"},
                    {"time-client", "127.0.0.1", "--port", "" + port, "--style", "coroutine"},
                    {"time-client", "127.0.0.1", "--port", "" + port, "--udp", "--style", "coroutine"}}) {
                Run r = run(args);
                assertEquals(0, r.code(), r::toString);
                assertTrue(r.out().startsWith("remote time 2026-11-22T06:20:00Z, "), r.out());
            }
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(ClientStyle.class)
    void httpGetPrintsHeadAndBodyAndTheRedirects(ClientStyle style) throws Exception {
        try (DemoHttpServer http = DemoHttpServer.start()) {
            Run r = run("http-get", "--style", style.name(), http.url("/hop/4").toString());
            assertEquals(0, r.code(), r::toString);
            assertTrue(r.out().startsWith("HTTP/1.1 200 OK\r\n"), r.out());
            assertTrue(r.out().endsWith("\r\n\r\n" + DemoHttpServer.PAGE), r.out());
            assertEquals("followed 2 redirect(s): " + http.url("/hop/4") + " -> " + http.url("/hop/5") + " -> "
                    + http.url("/page"), r.err().strip());
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(ClientStyle.class)
    void httpGetOfAMalformedResponseExitsWithOneErrorLine(ClientStyle style) throws Exception {
        try (RawHttpServer raw = RawHttpServer.answering("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n")) {
            assertEquals("error: invalid chunk size 'xyz' (expected hexadecimal digits)",
                    oneLineError(run("http-get", "--style", style.name(), raw.url("/").toString())));
        }
    }

    @Test
    void httpGetOfATruncatedBodyExitsWithOneErrorLine() throws Exception {
        try (RawHttpServer raw = RawHttpServer.answering("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc")) {
            assertEquals("error: the response body was cut short: the connection closed after 3 of 9 bytes (Content-Length)",
                    oneLineError(run("http-get", raw.url("/").toString())));
        }
    }

    @Test
    void httpGetOfAStalledServerTimesOut() throws Exception {
        try (RawHttpServer raw = RawHttpServer.stalling("HTTP/1.1 200 OK\r\n")) {
            String error = oneLineError(run("http-get", "--timeout", "1", raw.url("/").toString()));
            assertTrue(error.startsWith("error: timed out: no data from 127.0.0.1:"), error);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(ClientStyle.class)
    void httpGetStopsABodyOverMaxBody(ClientStyle style) throws Exception {
        try (DemoHttpServer http = DemoHttpServer.start()) {
            String url = http.url("/bytes?n=4096").toString();
            String error = oneLineError(run("http-get", "--style", style.name(), "--max-body", "1K", url));
            assertTrue(error.startsWith("error: the response body from " + url + " is larger than the limit of 1024 bytes ("), error);
            assertTrue(error.endsWith("; raise it with maxBodyBytes (http-get --max-body BYTES)"), error);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(ClientStyle.class)
    void httpGetOfATricklingServerStopsAtMaxTime(ClientStyle style) throws Exception {
        try (HostileHttpServer slow = new HostileHttpServer((s, path, out) -> {
            out.write("HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            for (int i = 0; i < 750 && s.pause(20); i++) { // a byte every 20 ms, 15 s at most
                out.write('a');
                out.flush();
            }
        })) {
            String url = slow.url("/").toString();
            assertEquals("error: timed out: the request for " + url + " took longer than the whole-request limit of 1.0 s; "
                    + "raise it with requestTimeout (http-get --max-time SECONDS)",
                    oneLineError(run("http-get", "--style", style.name(), "--timeout", "5", "--max-time", "1", url)));
        }
    }

    @Test
    void httpGetRejectsBadLimits() {
        assertEquals("error: --max-body 'lots' is not a size: use bytes, or a number with K, M or G, like 64M",
                oneLineError(run("http-get", "--max-body", "lots", "http://127.0.0.1:1/")));
        assertEquals("error: --max-time 0 must be at least 1 second",
                oneLineError(run("http-get", "--max-time", "0", "http://127.0.0.1:1/")));
        Run help = run("http-get", "--help");
        assertTrue(help.out().contains("--max-body") && help.out().contains("--max-time"), help.out());
    }

    @Test
    void httpGetOfARedirectLoopExitsWithOneErrorLine() throws Exception {
        try (DemoHttpServer http = DemoHttpServer.start()) {
            assertTrue(oneLineError(run("http-get", http.url("/loop/a").toString())).startsWith("error: redirect loop: "));
        }
    }

    @Test
    void httpGetRefusesOtherSchemesAndBadUrls() { // https works: TlsCommandsTest
        assertEquals("error: not an http URL: 'ftp://example.com/' (expected like http://127.0.0.1:8080/path)",
                oneLineError(run("http-get", "ftp://example.com/")));
        assertTrue(oneLineError(run("http-get", "http://exa mple.com/")).startsWith("error: invalid URL 'http://exa mple.com/': "));
        assertEquals("error: the URL 'http:///path' has no host name", oneLineError(run("http-get", "http:///path")));
    }

    @Test
    void badPortsAndOptionsAreUsageErrors() {
        assertEquals("error: --port 70000 is out of range: use 1 to 65535, or 0 for a free port",
                oneLineError(run("time-server", "--port", "70000")));
        Run unknown = run("time-client");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().startsWith("Missing required parameter: 'HOST'"), unknown.err());
        assertEquals("error: --backlog must be 0 (the system's limit, " + io.asyncore.Asyncore.defaultBacklog() + ") or more, got -1",
                oneLineError(run("echo-server", "--backlog", "-1")));
        Run style = run("echo-server", "--style", "fancy");
        assertEquals(2, style.code());
        assertTrue(style.err().contains("expected one of [callback, coroutine, mixed]"), style.err());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"callback", "coroutine", "mixed"})
    void aPortInUseIsExplained(String style) throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Run r = run("echo-server", "--port", "" + taken.getLocalPort(), "--style", style);
            String error = oneLineError(r);
            assertTrue(error.startsWith("error: cannot listen on port " + taken.getLocalPort() + ": "), error);
            assertTrue(error.endsWith("(pick another --port, or 0 for a free one)"), error);
            assertEquals("", r.out());
        }
    }
}
