package io.asyncore.samples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.asyncore.SocketMap;
import io.asyncore.samples.Loops;
import io.asyncore.samples.cli.ClientStyle;
import io.asyncore.samples.cli.CoroutineSamples;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Both HTTP clients (callback {@link AsyncHttp}, coroutine {@code httpGet}) against a hostile server:
 * each case must end in a one-line {@link HttpException} of the expected kind (or a valid response)
 * within a bound, and no thread may be left behind.
 */
@Timeout(60)
class HostileHttpServerTest {
    /** Short limits so the timeout cases end quickly: 2 s idle, 10 s whole request, 1 MiB of body. */
    private static final HttpLimits LIMITS = new HttpLimits(Duration.ofSeconds(2), Duration.ofSeconds(10), 1024 * 1024);
    /** Every case that is not about a timeout ends well within this. */
    private static final Duration BOUND = Duration.ofSeconds(5);
    private static Set<Thread> threadsBefore;

    @BeforeAll
    static void rememberThreads() {
        threadsBefore = Set.copyOf(Thread.getAllStackTraces().keySet());
    }

    /** No thread left behind: test servers joined, no client loop, LoopThread or bridge thread survives. */
    @AfterAll
    static void noThreadIsLeftBehind() throws InterruptedException {
        Set<Thread> extra = Set.of();
        for (int i = 0; i < 100; i++) { // threads that are ending may take a moment: up to 5 s
            extra = newThreads();
            if (extra.isEmpty()) {
                return;
            }
            for (Thread t : extra) {
                t.join(50);
            }
        }
        fail("threads left behind: " + extra.stream().map(Thread::getName).collect(Collectors.toList()));
    }

    /** Live threads that did not exist before this class, except JUnit's own timeout watcher and leak detection's. */
    private static Set<Thread> newThreads() {
        Set<Thread> now = new HashSet<>(Thread.getAllStackTraces().keySet());
        now.removeAll(threadsBefore);
        // Also the library's one leak-detection thread: a JVM-wide daemon, started by the first watch.
        now.removeIf(t -> !t.isAlive() || t.getName().startsWith("junit-") || t.getName().equals("asyncore-leak-detection"));
        return now;
    }

    /** How a GET ended: a response, or the HttpException's message; and how long it took. */
    record Outcome(HttpResponse response, String error, Duration took) {
        /** The response or error, comparable across styles. */
        String summary() {
            return error != null ? "error: " + error
                    : "response: " + response.head().statusLine() + " " + response.head().headers() + " "
                    + Arrays.hashCode(response.body()) + "/" + response.body().length;
        }
    }

    /** GETs {@code url} in {@code style} under {@code limits} on the calling thread; fails the test on anything but an HttpException. */
    private static Outcome get(ClientStyle style, URI url, HttpLimits limits) {
        long start = System.nanoTime();
        HttpResponse response = null;
        String error = null;
        try (SocketMap map = new SocketMap()) {
            if (style == ClientStyle.coroutine) {
                response = CoroutineSamples.httpGet(map, url, RedirectingConsumer.DEFAULT_MAX_REDIRECTS, limits, u -> { });
            } else {
                BufferingConsumer buffering = new BufferingConsumer();
                new RedirectingConsumer(buffering, map, RedirectingConsumer.DEFAULT_MAX_REDIRECTS, limits).start(url);
                // a backstop only: the request's own limits must end it first
                response = Loops.runUntilDone(map, buffering.result(), limits.requestTimeout().plusSeconds(20), "GET " + url)
                        .join();
            }
        } catch (HttpException e) {
            error = e.getMessage();
        } catch (CompletionException e) {
            if (!(e.getCause() instanceof HttpException h)) {
                throw new AssertionError("not an HttpException: " + e.getCause(), e.getCause());
            }
            error = h.getMessage();
        } catch (Throwable t) {
            throw new AssertionError("not an HttpException: " + t, t);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        if (error != null) {
            assertFalse(error.isBlank(), "an empty message");
            assertFalse(error.contains("\n") || error.contains("\r"), "not one line: " + error);
        }
        return new Outcome(response, error, took);
    }

    /** The message a GET of {@code url} fails with, checked to end within {@link #BOUND}. */
    private static String failure(ClientStyle style, URI url) {
        Outcome o = get(style, url, LIMITS);
        assertTrue(o.error() != null, () -> "expected a failure, got " + o.summary());
        assertTrue(o.took().compareTo(BOUND) < 0, () -> "took " + o.took() + ": " + o.error());
        return o.error();
    }

    private static String failure(ClientStyle style, String response) throws IOException {
        try (HostileHttpServer server = HostileHttpServer.answering(response)) {
            return failure(style, server.url("/x"));
        }
    }

    // ---- random status lines ----

    /** 300 seeded cases: random bytes, ASCII garbage, near-miss status lines, valid lines with garbage after. */
    private static List<byte[]> fuzzCases() {
        Random random = new Random(20261122L);
        List<byte[]> cases = new ArrayList<>();
        String valid = "HTTP/1.1 200 OK";
        String ascii = "HTTP/1.0 2345678 9:;-_\t\r\n ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        for (int i = 0; i < 300; i++) {
            switch (i % 4) {
                case 0 -> {
                    byte[] b = new byte[random.nextInt(300)];
                    random.nextBytes(b);
                    cases.add(b);
                }
                case 1 -> {
                    StringBuilder sb = new StringBuilder();
                    for (int n = random.nextInt(300); n > 0; n--) {
                        sb.append(ascii.charAt(random.nextInt(ascii.length())));
                    }
                    cases.add(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
                }
                case 2 -> {
                    StringBuilder line = new StringBuilder(valid);
                    for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
                        int at = random.nextInt(line.length());
                        char c = ascii.charAt(random.nextInt(ascii.length()));
                        switch (random.nextInt(3)) {
                            case 0 -> line.setCharAt(at, c);
                            case 1 -> line.deleteCharAt(at);
                            default -> line.insert(at, c);
                        }
                    }
                    cases.add((line + "\r\nContent-Length: 2\r\n\r\nok").getBytes(StandardCharsets.ISO_8859_1));
                }
                default -> {
                    byte[] tail = new byte[random.nextInt(200)];
                    random.nextBytes(tail);
                    String head = "HTTP/1.1 " + (100 + random.nextInt(500)) + " X\r\n";
                    byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
                    byte[] all = Arrays.copyOf(h, h.length + tail.length);
                    System.arraycopy(tail, 0, all, h.length, tail.length);
                    cases.add(all);
                }
            }
        }
        return cases;
    }

    @Test
    void randomStatusLinesEndInAClearErrorOrAResponseTheSameInBothStyles() throws IOException {
        List<byte[]> cases = fuzzCases();
        int errors = 0;
        try (HostileHttpServer server = new HostileHttpServer((s, path, out) ->
                out.write(cases.get(Integer.parseInt(path.substring("/fuzz/".length())))))) {
            for (int i = 0; i < cases.size(); i++) {
                URI url = server.url("/fuzz/" + i);
                Outcome callback = get(ClientStyle.callback, url, LIMITS);
                Outcome coroutine = get(ClientStyle.coroutine, url, LIMITS);
                int n = i;
                assertEquals(callback.summary(), coroutine.summary(), () -> "case " + n);
                for (Outcome o : List.of(callback, coroutine)) {
                    assertTrue(o.took().compareTo(BOUND) < 0, () -> "case " + n + " took " + o.took());
                }
                errors += callback.error() != null ? 1 : 0;
            }
        }
        assertTrue(errors > 250, "most random responses are malformed, but only " + errors + " failed");
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void nearMissStatusLinesAreNamed(ClientStyle style) throws IOException {
        for (String line : List.of("HTTP/1.1 200", "HTTP/1.1  200 OK", "HTTP/1.1 20 OK", "HTTP/11 200 OK", "http/1.1 200 OK",
                "HTTP/1.1 099 OK", "ICY 200 OK")) {
            String expected = line.equals("HTTP/1.1 200") ? null
                    : "malformed status line '" + line + "' (expected like 'HTTP/1.1 200 OK'); is this an HTTP server?";
            if (expected == null) { // no reason phrase is allowed
                try (HostileHttpServer server = HostileHttpServer.answering(line + "\r\nContent-Length: 2\r\n\r\nok")) {
                    assertEquals(200, get(style, server.url("/"), LIMITS).response().head().code());
                }
            } else {
                assertEquals(expected, failure(style, line + "\r\nContent-Length: 2\r\n\r\nok"));
            }
        }
    }

    // ---- header floods ----

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void manySmallHeadersPastTheLimitFail(ClientStyle style) throws IOException {
        String flood = "HTTP/1.1 200 OK\r\n" + "X-Flood: y\r\n".repeat(10_000) + "\r\n";
        assertEquals("the response headers are larger than 65536 bytes; is this an HTTP server?", failure(style, flood));
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void oneHugeHeaderLineFails(ClientStyle style) throws IOException {
        String huge = "HTTP/1.1 200 OK\r\nX-Huge: " + "a".repeat(200_000) + "\r\n\r\n";
        assertEquals("the response headers are larger than 65536 bytes; is this an HTTP server?", failure(style, huge));
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void endlessInterimResponsesCountAgainstTheHeaderLimit(ClientStyle style) throws IOException {
        byte[] interim = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        try (HostileHttpServer server = new HostileHttpServer((s, path, out) -> flood(s, out, interim))) {
            assertEquals("the response headers are larger than 65536 bytes; is this an HTTP server?", failure(style, server.url("/x")));
        }
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void endlessTrailersCountAgainstTheHeaderLimit(ClientStyle style) throws IOException {
        byte[] trailer = "X-Trailer: y\r\n".getBytes(StandardCharsets.ISO_8859_1);
        try (HostileHttpServer server = new HostileHttpServer((s, path, out) -> {
            out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n".getBytes(StandardCharsets.ISO_8859_1));
            flood(s, out, trailer);
        })) {
            assertEquals("the response headers and trailers are larger than 65536 bytes", failure(style, server.url("/x")));
        }
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void headersTricklingForeverHitTheWholeRequestTimeout(ClientStyle style) throws IOException {
        try (HostileHttpServer server = new HostileHttpServer((s, path, out) -> {
            out.write("HTTP/1.1 200 OK\r\nX-Slow: ".getBytes(StandardCharsets.ISO_8859_1));
            trickle(s, out);
        })) {
            assertWholeRequestTimeout(style, server);
        }
    }

    // ---- bad chunk sizes ----

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void badChunkSizesFail(ClientStyle style) throws IOException {
        String chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        Map<String, String> cases = Map.of(
                "-5\r\nhello\r\n0\r\n\r\n", "invalid chunk size '-5' (expected hexadecimal digits)",
                "1234567890ABCDEF0\r\nx\r\n0\r\n\r\n", "invalid chunk size '1234567890ABCDEF0' (expected hexadecimal digits)",
                "zz\r\nx\r\n0\r\n\r\n", "invalid chunk size 'zz' (expected hexadecimal digits)",
                "\r\nx\r\n0\r\n\r\n", "invalid chunk size '' (expected hexadecimal digits)",
                "5\r\nhelloXY\r\n0\r\n\r\n", "chunk data is longer than its declared size (found 'XY' where CRLF should end the chunk)",
                "1" + "0".repeat(2000) + "\r\n", "invalid chunk size line: longer than 1024 bytes, starting '"
                        + "1" + "0".repeat(59) + "...'");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            assertEquals(c.getValue(), failure(style, chunked + c.getKey()), c.getKey());
        }
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void aChunkSizeOverTheBodyLimitFailsAtOnce(ClientStyle style) throws IOException {
        try (HostileHttpServer server = HostileHttpServer.answering(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7FFFFFFFFFFFFFF\r\nabc")) {
            assertEquals(bodyLimit(server.url("/x"), "a chunk of " + 0x7FFFFFFFFFFFFFFL + " bytes after 0"),
                    failure(style, server.url("/x")));
        }
    }

    // ---- truncated bodies ----

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void truncatedContentLengthBodyFails(ClientStyle style) throws IOException {
        assertEquals("the response body was cut short: the connection closed after 10 of 100 bytes (Content-Length)",
                failure(style, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789"));
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void truncatedChunkedBodyFails(ClientStyle style) throws IOException {
        assertEquals("the chunked response body was cut short: the connection closed after 12 body bytes, before the last chunk",
                failure(style, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n5\r\nab"));
    }

    // ---- endless bodies ----

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void aContentLengthOverTheBodyLimitFailsAtOnce(ClientStyle style) throws IOException {
        try (HostileHttpServer server = HostileHttpServer.answering("HTTP/1.1 200 OK\r\nContent-Length: 2000000\r\n\r\nabc")) {
            assertEquals(bodyLimit(server.url("/x"), "declared Content-Length 2000000"), failure(style, server.url("/x")));
        }
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void anEndlessCloseDelimitedBodyStopsAtTheBodyLimit(ClientStyle style) throws IOException {
        try (HostileHttpServer server = new HostileHttpServer((s, path, out) -> {
            out.write("HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            flood(s, out, new byte[64 * 1024]);
        })) {
            String message = failure(style, server.url("/x"));
            assertTrue(message.startsWith("the response body from " + server.url("/x")
                    + " is larger than the limit of 1048576 bytes (at least "), message);
            assertTrue(message.endsWith(" bytes arrived); raise it with maxBodyBytes (http-get --max-body BYTES)"), message);
        }
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void anEndlessChunkedBodyStopsAtTheBodyLimit(ClientStyle style) throws IOException {
        byte[] chunk = ("10000\r\n" + "x".repeat(0x10000) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        try (HostileHttpServer server = new HostileHttpServer((s, path, out) -> {
            out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            flood(s, out, chunk);
        })) {
            assertEquals(bodyLimit(server.url("/x"), "a chunk of 65536 bytes after 1048576"), failure(style, server.url("/x")));
        }
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void aTricklingEndlessBodyHitsTheWholeRequestTimeout(ClientStyle style) throws IOException {
        try (HostileHttpServer server = new HostileHttpServer((s, path, out) -> {
            out.write("HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            trickle(s, out);
        })) {
            assertWholeRequestTimeout(style, server);
        }
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void theWholeRequestTimeoutSpansRedirects(ClientStyle style) throws IOException {
        // each hop sends its redirect slowly (0.4 s, under the 2 s idle timeout); five hops pass the 1 s deadline
        try (HostileHttpServer server = new HostileHttpServer((s, path, out) -> {
            int hop = Integer.parseInt(path.substring(1));
            out.write("HTTP/1.1 302 Found\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            s.pause(400);
            out.write(("Location: /" + (hop + 1) + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        })) {
            Outcome o = get(style, server.url("/0"), LIMITS.withRequestTimeout(Duration.ofSeconds(1)));
            // it names the hop in progress: /2 (the third request, 0.8 to 1.2 s in), or /1 on a slow machine (never later:
            // each hop takes at least 0.4 s)
            assertTrue(o.error() != null && o.error().matches("timed out: the request for " + Pattern.quote(server.url("/").toString())
                    + "[12] took longer than the whole-request limit of 1\\.0 s; "
                    + "raise it with requestTimeout \\(http-get --max-time SECONDS\\)"), o::summary);
            assertTrue(o.took().compareTo(Duration.ofMillis(900)) > 0 && o.took().compareTo(BOUND) < 0, o.took()::toString);
        }
    }

    // ---- redirect loops ----

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void aRedirectLoopIsNamed(ClientStyle style) throws IOException {
        try (HostileHttpServer server = new HostileHttpServer((s, path, out) -> out.write(("HTTP/1.1 302 Found\r\nLocation: "
                + (path.equals("/a") ? "/b" : "/a") + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)))) {
            assertEquals("redirect loop: " + server.url("/b") + " redirects to " + server.url("/a")
                    + ", which was already visited (after 1 redirect)", failure(style, server.url("/a")));
        }
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void endlessFreshRedirectsStopAtTheHopLimit(ClientStyle style) throws IOException {
        try (HostileHttpServer server = new HostileHttpServer((s, path, out) -> out.write(("HTTP/1.1 301 Moved\r\nLocation: /"
                + (Integer.parseInt(path.substring(1)) + 1) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)))) {
            assertEquals("too many redirects: stopped after 5 (from " + server.url("/0") + ", the last one to " + server.url("/6") + ")",
                    failure(style, server.url("/0")));
        }
    }

    // ---- helpers ----

    private static String bodyLimit(URI url, String what) {
        return "the response body from " + url + " is larger than the limit of 1048576 bytes (" + what
                + "); raise it with maxBodyBytes (http-get --max-body BYTES)";
    }

    /** Asserts a GET from a trickling server ends with the whole-request timeout (1 s here) in bounded time. */
    private static void assertWholeRequestTimeout(ClientStyle style, HostileHttpServer server) {
        Outcome o = get(style, server.url("/x"), LIMITS.withRequestTimeout(Duration.ofSeconds(1)));
        assertEquals("timed out: the request for " + server.url("/x") + " took longer than the whole-request limit of 1.0 s; "
                + "raise it with requestTimeout (http-get --max-time SECONDS)", o.error());
        assertTrue(o.took().compareTo(Duration.ofMillis(900)) > 0 && o.took().compareTo(BOUND) < 0, o.took()::toString);
    }

    /** Writes one byte every 20 ms (under the idle timeout) until the client goes away: 15 s at most. */
    private static void trickle(HostileHttpServer s, OutputStream out) throws IOException {
        for (int i = 0; i < 750 && s.pause(20); i++) {
            out.write('a');
            out.flush();
        }
    }

    /** Writes {@code block} as fast as the client reads until it goes away: 256 MiB at most. */
    private static void flood(HostileHttpServer s, OutputStream out, byte[] block) throws IOException {
        for (long sent = 0; sent < 256L * 1024 * 1024 && s.running(); sent += block.length) {
            out.write(block);
        }
    }
}
