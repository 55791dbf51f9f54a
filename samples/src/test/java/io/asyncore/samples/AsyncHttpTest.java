package io.asyncore.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.SocketMap;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class AsyncHttpTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static DemoHttpServer jdk;

    @BeforeAll
    static void startJdkServer() throws Exception {
        jdk = DemoHttpServer.start();
    }

    @AfterAll
    static void stopJdkServer() {
        jdk.close();
    }

    /** GETs {@code url} following redirects, on the calling thread. */
    private static HttpResponse get(URI url, int maxRedirects, Duration idle) {
        try (SocketMap map = new SocketMap()) {
            BufferingConsumer response = new BufferingConsumer();
            new RedirectingConsumer(response, map, maxRedirects, idle).start(url);
            return Loops.runUntilDone(map, response.result(), LIMIT, "GET " + url).join();
        }
    }

    private static HttpResponse get(URI url) {
        return get(url, RedirectingConsumer.DEFAULT_MAX_REDIRECTS, Duration.ofSeconds(10));
    }

    /** The one-line message a failing GET of {@code url} ends with. */
    private static String failure(URI url, Duration idle) {
        CompletionException e = assertThrows(CompletionException.class, () -> get(url, 5, idle));
        assertTrue(e.getCause() instanceof HttpException, () -> "not an HttpException: " + e.getCause());
        String message = e.getCause().getMessage();
        assertFalse(message.contains("\n"), message);
        return message;
    }

    private static String failure(String rawResponse) throws Exception {
        try (RawHttpServer raw = RawHttpServer.answering(rawResponse)) {
            return failure(raw.url("/"), Duration.ofSeconds(10));
        }
    }

    @Test
    void contentLengthPageFromTheJdkServer() {
        HttpResponse r = get(jdk.url("/page"));
        assertEquals(200, r.head().code());
        assertEquals("HTTP/1.1 200 OK", r.head().statusLine());
        assertEquals(String.valueOf(DemoHttpServer.PAGE.length()), r.head().header("content-length").orElseThrow());
        assertEquals(DemoHttpServer.PAGE, new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void tenMebibyteBodyArrivesWholeAndInOrder() {
        int n = 10 * 1024 * 1024;
        HttpResponse r = get(jdk.url("/bytes?n=" + n));
        assertEquals(n, r.body().length);
        for (int i = 0; i < n; i++) {
            if (r.body()[i] != DemoHttpServer.byteAt(i)) {
                throw new AssertionError("byte " + i + " differs");
            }
        }
    }

    @Test
    void bodyIsFedAsItArrivesInSeveralPieces() {
        List<Integer> pieces = new ArrayList<>();
        BufferingConsumer whole = new BufferingConsumer();
        HttpConsumer counting = new HttpConsumer() {
            @Override public void response(HttpResponseHead head) { whole.response(head); }
            @Override public void feed(byte[] data) { pieces.add(data.length); whole.feed(data); }
            @Override public void done() { whole.done(); }
            @Override public void failed(HttpException error) { whole.failed(error); }
        };
        try (SocketMap map = new SocketMap()) {
            AsyncHttp.get(jdk.url("/bytes?n=" + (4 * 1024 * 1024)), counting, map);
            Loops.runUntilDone(map, whole.result(), LIMIT, "GET").join();
        }
        assertTrue(pieces.size() > 1, "one piece only");
        assertEquals(4 * 1024 * 1024, pieces.stream().mapToInt(Integer::intValue).sum());
    }

    @Test
    void chunkedPageFromTheJdkServerIsDecoded() {
        HttpResponse r = get(jdk.url("/chunked"));
        assertEquals("chunked", r.head().header("Transfer-Encoding").orElseThrow());
        assertEquals(String.join("", DemoHttpServer.CHUNKS), new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void redirectChainThroughEveryRedirectCodeEndsAtThePage() {
        try (SocketMap map = new SocketMap()) {
            BufferingConsumer response = new BufferingConsumer();
            RedirectingConsumer redirecting = new RedirectingConsumer(response, map);
            redirecting.start(jdk.url("/hop/1"));
            HttpResponse r = Loops.runUntilDone(map, response.result(), LIMIT, "GET").join();
            assertEquals(200, r.head().code());
            assertEquals(jdk.url("/page"), r.head().url());
            assertEquals(DemoHttpServer.PAGE, new String(r.body(), StandardCharsets.UTF_8));
            assertEquals(List.of(jdk.url("/hop/1"), jdk.url("/hop/2"), jdk.url("/hop/3"), jdk.url("/hop/4"),
                    jdk.url("/hop/5"), jdk.url("/page")), redirecting.chain());
        }
    }

    @Test
    void hopLimitStopsALongChain() {
        CompletionException e = assertThrows(CompletionException.class, () -> get(jdk.url("/hop/1"), 2, Duration.ofSeconds(10)));
        assertEquals("too many redirects: stopped after 2 (from " + jdk.url("/hop/1") + ", the last one to "
                + jdk.url("/hop/4") + ")", e.getCause().getMessage());
    }

    @Test
    void redirectLoopIsDetected() {
        String message = failure(jdk.url("/loop/a"), Duration.ofSeconds(10));
        assertEquals("redirect loop: " + jdk.url("/loop/b") + " redirects to " + jdk.url("/loop/a")
                + ", which was already visited (after 1 redirect)", message);
    }

    @Test
    void redirectWithoutLocationIsTheFinalResponse() throws Exception {
        try (RawHttpServer raw = RawHttpServer.answering("HTTP/1.1 302 Found\r\nContent-Length: 2\r\n\r\nhi")) {
            HttpResponse r = get(raw.url("/"));
            assertEquals(302, r.head().code());
            assertEquals("hi", new String(r.body(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void bodyEndedByCloseIsComplete() throws Exception {
        try (RawHttpServer raw = RawHttpServer.answering("HTTP/1.0 200 OK\r\nX-Folded: a\r\n  b\r\n\r\nuntil the end")) {
            HttpResponse r = get(raw.url("/"));
            assertEquals("until the end", new String(r.body(), StandardCharsets.UTF_8));
            assertEquals("a b", r.head().header("x-folded").orElseThrow());
        }
    }

    @Test
    void interimResponsesAreSkippedAndChunkExtensionsAndTrailersAccepted() throws Exception {
        try (RawHttpServer raw = RawHttpServer.answering("HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n1\r\n!\r\n0\r\nX-Trailer: yes\r\n\r\n")) {
            HttpResponse r = get(raw.url("/"));
            assertEquals(200, r.head().code());
            assertEquals("hello!", new String(r.body(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void malformedStatusLineFails() throws Exception {
        assertEquals("malformed status line 'HTTP/1.1 OK' (expected like 'HTTP/1.1 200 OK'); is this an HTTP server?",
                failure("HTTP/1.1 OK\r\n\r\n"));
    }

    @Test
    void aServerThatIsNotHttpFails() throws Exception {
        assertEquals("malformed status line 'SSH-2.0-OpenSSH_9.2' (expected like 'HTTP/1.1 200 OK'); is this an HTTP server?",
                failure("SSH-2.0-OpenSSH_9.2\r\n"));
    }

    @Test
    void malformedHeaderLineFails() throws Exception {
        assertEquals("malformed header line 'this is not a header' (expected 'Name: value')",
                failure("HTTP/1.1 200 OK\r\nthis is not a header\r\n\r\n"));
    }

    @Test
    void controlCharactersInAMalformedLineAreEscaped() throws Exception {
        assertEquals("malformed header line 'Bad Name\\x01: x' (expected 'Name: value')",
                failure("HTTP/1.1 200 OK\r\nBad Name\u0001: x\r\n\r\n"));
    }

    @Test
    void oversizedHeadersFail() throws Exception {
        String huge = "HTTP/1.1 200 OK\r\n" + ("X-Filler: " + "y".repeat(1000) + "\r\n").repeat(100) + "\r\n";
        assertEquals("the response headers are larger than 65536 bytes; is this an HTTP server?", failure(huge));
    }

    @Test
    void invalidContentLengthFails() throws Exception {
        assertEquals("invalid Content-Length header 'ten'", failure("HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\nxx"));
    }

    @Test
    void badChunkSizeFails() throws Exception {
        assertEquals("invalid chunk size 'zz' (expected hexadecimal digits)",
                failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"));
    }

    @Test
    void chunkLongerThanItsSizeFails() throws Exception {
        assertEquals("chunk data is longer than its declared size (found 'lo' where CRLF should end the chunk)",
                failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n"));
    }

    @Test
    void truncatedContentLengthBodyFails() throws Exception {
        assertEquals("the response body was cut short: the connection closed after 5 of 100 bytes (Content-Length)",
                failure("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello"));
    }

    @Test
    void truncatedChunkedBodyFails() throws Exception {
        assertEquals("the chunked response body was cut short: the connection closed after 3 body bytes, before the last chunk",
                failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc"));
    }

    @Test
    void closeInTheHeadersFails() throws Exception {
        assertEquals("the server closed the connection in the middle of the response headers",
                failure("HTTP/1.1 200 OK\r\nContent-Le"));
    }

    @Test
    void closeWithoutAnyResponseFails() throws Exception {
        assertEquals("the server closed the connection without sending a response", failure(""));
    }

    @Test
    void aStalledServerTimesOut() throws Exception {
        try (RawHttpServer raw = RawHttpServer.stalling("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")) {
            String message = failure(raw.url("/x"), Duration.ofMillis(300));
            assertEquals("timed out: no data from 127.0.0.1:" + raw.port() + " for 0.3 s while fetching " + raw.url("/x"), message);
        }
    }

    @Test
    void httpsIsNotSupported() {
        assertEquals("https URLs are not supported: these samples speak plain HTTP only (https://127.0.0.1/); use an http:// URL",
                failure(URI.create("https://127.0.0.1/"), Duration.ofSeconds(10)));
    }

    @Test
    void aRedirectToHttpsIsNotSupportedEither() throws Exception {
        try (RawHttpServer raw = RawHttpServer.answering("HTTP/1.1 301 Moved\r\nLocation: https://127.0.0.1/\r\nContent-Length: 0\r\n\r\n")) {
            assertTrue(failure(raw.url("/"), Duration.ofSeconds(10)).startsWith("https URLs are not supported"));
        }
    }

    @Test
    void refusedConnectionFailsInOneLine() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        String message = failure(URI.create("http://127.0.0.1:" + port + "/"), Duration.ofSeconds(10));
        assertTrue(message.startsWith("cannot connect to 127.0.0.1:" + port + ": "), message);
    }

    @Test
    void basicHttpClientCollectsTheRawResponse() {
        try (SocketMap map = new SocketMap()) {
            BasicHttpClient client = new BasicHttpClient("127.0.0.1", jdk.port(), "/page", map);
            String raw = new String(Loops.runUntilDone(map, client.result(), LIMIT, "basic").join(), StandardCharsets.UTF_8);
            assertTrue(raw.startsWith("HTTP/1.1 200 OK\r\n"), raw);
            assertTrue(raw.endsWith("\r\n\r\n" + DemoHttpServer.PAGE), raw);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void basicHttpClientSendsTheDocumentationsRequest() throws Exception {
        try (RawHttpServer raw = RawHttpServer.answering("HTTP/1.0 200 OK\r\n\r\nraw"); SocketMap map = new SocketMap()) {
            BasicHttpClient client = new BasicHttpClient("127.0.0.1", raw.port(), "/", map);
            assertArrayEquals("HTTP/1.0 200 OK\r\n\r\nraw".getBytes(StandardCharsets.US_ASCII),
                    Loops.runUntilDone(map, client.result(), LIMIT, "basic").join());
        }
    }
}
