package io.asyncore.samples.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.SocketMap;
import io.asyncore.samples.Loops;
import io.asyncore.samples.cli.ClientStyle;
import io.asyncore.samples.cli.CoroutineSamples;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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

    /** What a GET gave: the response and the redirects followed. */
    record Fetched(HttpResponse response, List<URI> chain) {
    }

    /** GETs {@code url} following redirects, on the calling thread, in {@code style}; throws the HttpException. */
    private static Fetched fetch(ClientStyle style, URI url, int maxRedirects, Duration idle) throws HttpException {
        try (SocketMap map = new SocketMap()) {
            if (style == ClientStyle.coroutine) {
                List<URI> chain = new ArrayList<>(List.of(url));
                HttpResponse r = CoroutineSamples.httpGet(map, url, maxRedirects, idle, chain::add);
                return new Fetched(r, chain);
            }
            BufferingConsumer response = new BufferingConsumer();
            RedirectingConsumer redirecting = new RedirectingConsumer(response, map, maxRedirects, idle);
            redirecting.start(url);
            try {
                return new Fetched(Loops.runUntilDone(map, response.result(), LIMIT, "GET " + url).join(), redirecting.chain());
            } catch (CompletionException e) {
                throw (HttpException) e.getCause();
            }
        } catch (HttpException e) {
            throw e;
        } catch (java.io.IOException e) {
            throw new AssertionError("not an HttpException", e);
        }
    }

    private static HttpResponse get(ClientStyle style, URI url) throws HttpException {
        return fetch(style, url, RedirectingConsumer.DEFAULT_MAX_REDIRECTS, Duration.ofSeconds(10)).response();
    }

    /** The one-line message a failing GET of {@code url} ends with. */
    private static String failure(ClientStyle style, URI url, int maxRedirects, Duration idle) {
        HttpException e = assertThrows(HttpException.class, () -> fetch(style, url, maxRedirects, idle));
        String message = e.getMessage();
        assertFalse(message.contains("\n"), message);
        return message;
    }

    private static String failure(ClientStyle style, URI url) {
        return failure(style, url, RedirectingConsumer.DEFAULT_MAX_REDIRECTS, Duration.ofSeconds(10));
    }

    private static String failure(ClientStyle style, String rawResponse) throws Exception {
        try (RawHttpServer raw = RawHttpServer.answering(rawResponse)) {
            return failure(style, raw.url("/"));
        }
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void contentLengthPageFromTheJdkServer(ClientStyle style) throws Exception {
        HttpResponse r = get(style, jdk.url("/page"));
        assertEquals(200, r.head().code());
        assertEquals("HTTP/1.1 200 OK", r.head().statusLine());
        assertEquals(String.valueOf(DemoHttpServer.PAGE.length()), r.head().header("content-length").orElseThrow());
        assertEquals(DemoHttpServer.PAGE, new String(r.body(), StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void tenMebibyteBodyArrivesWholeAndInOrder(ClientStyle style) throws Exception {
        int n = 10 * 1024 * 1024;
        HttpResponse r = get(style, jdk.url("/bytes?n=" + n));
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

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void chunkedPageFromTheJdkServerIsDecoded(ClientStyle style) throws Exception {
        HttpResponse r = get(style, jdk.url("/chunked"));
        assertEquals("chunked", r.head().header("Transfer-Encoding").orElseThrow());
        assertEquals(String.join("", DemoHttpServer.CHUNKS), new String(r.body(), StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void redirectChainThroughEveryRedirectCodeEndsAtThePage(ClientStyle style) throws Exception {
        Fetched f = fetch(style, jdk.url("/hop/1"), 5, Duration.ofSeconds(10));
        HttpResponse r = f.response();
        assertEquals(200, r.head().code());
        assertEquals(jdk.url("/page"), r.head().url());
        assertEquals(DemoHttpServer.PAGE, new String(r.body(), StandardCharsets.UTF_8));
        assertEquals(List.of(jdk.url("/hop/1"), jdk.url("/hop/2"), jdk.url("/hop/3"), jdk.url("/hop/4"),
                jdk.url("/hop/5"), jdk.url("/page")), f.chain());
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void hopLimitStopsALongChain(ClientStyle style) throws Exception {
        assertEquals("too many redirects: stopped after 2 (from " + jdk.url("/hop/1") + ", the last one to "
                + jdk.url("/hop/4") + ")", failure(style, jdk.url("/hop/1"), 2, Duration.ofSeconds(10)));
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void redirectLoopIsDetected(ClientStyle style) throws Exception {
        String message = failure(style, jdk.url("/loop/a"), 5, Duration.ofSeconds(10));
        assertEquals("redirect loop: " + jdk.url("/loop/b") + " redirects to " + jdk.url("/loop/a")
                + ", which was already visited (after 1 redirect)", message);
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void redirectWithoutLocationIsTheFinalResponse(ClientStyle style) throws Exception {
        try (RawHttpServer raw = RawHttpServer.answering("HTTP/1.1 302 Found\r\nContent-Length: 2\r\n\r\nhi")) {
            HttpResponse r = get(style, raw.url("/"));
            assertEquals(302, r.head().code());
            assertEquals("hi", new String(r.body(), StandardCharsets.UTF_8));
        }
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void bodyEndedByCloseIsComplete(ClientStyle style) throws Exception {
        try (RawHttpServer raw = RawHttpServer.answering("HTTP/1.0 200 OK\r\nX-Folded: a\r\n  b\r\n\r\nuntil the end")) {
            HttpResponse r = get(style, raw.url("/"));
            assertEquals("until the end", new String(r.body(), StandardCharsets.UTF_8));
            assertEquals("a b", r.head().header("x-folded").orElseThrow());
        }
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void interimResponsesAreSkippedAndChunkExtensionsAndTrailersAccepted(ClientStyle style) throws Exception {
        try (RawHttpServer raw = RawHttpServer.answering("HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n1\r\n!\r\n0\r\nX-Trailer: yes\r\n\r\n")) {
            HttpResponse r = get(style, raw.url("/"));
            assertEquals(200, r.head().code());
            assertEquals("hello!", new String(r.body(), StandardCharsets.UTF_8));
        }
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void sendsAnHttp11GetWithHostAndConnectionClose(ClientStyle style) throws Exception {
        try (RawHttpServer raw = RawHttpServer.answering("HTTP/1.1 204 No Content\r\n\r\n")) {
            assertEquals(204, get(style, raw.url("/a%20b?q=1#frag")).head().code());
            assertEquals(List.of("GET /a%20b?q=1 HTTP/1.1\r\nHost: 127.0.0.1:" + raw.port() + "\r\nUser-Agent: asyncore-samples\r\n"
                    + "Accept-Encoding: identity\r\nConnection: close\r\n\r\n"), raw.requests());
        }
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void malformedStatusLineFails(ClientStyle style) throws Exception {
        assertEquals("malformed status line 'HTTP/1.1 OK' (expected like 'HTTP/1.1 200 OK'); is this an HTTP server?",
                failure(style, "HTTP/1.1 OK\r\n\r\n"));
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void aServerThatIsNotHttpFails(ClientStyle style) throws Exception {
        assertEquals("malformed status line 'SSH-2.0-OpenSSH_9.2' (expected like 'HTTP/1.1 200 OK'); is this an HTTP server?",
                failure(style, "SSH-2.0-OpenSSH_9.2\r\n"));
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void malformedHeaderLineFails(ClientStyle style) throws Exception {
        assertEquals("malformed header line 'this is not a header' (expected 'Name: value')",
                failure(style, "HTTP/1.1 200 OK\r\nthis is not a header\r\n\r\n"));
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void controlCharactersInAMalformedLineAreEscaped(ClientStyle style) throws Exception {
        assertEquals("malformed header line 'Bad Name\\x01: x' (expected 'Name: value')",
                failure(style, "HTTP/1.1 200 OK\r\nBad Name\u0001: x\r\n\r\n"));
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void oversizedHeadersFail(ClientStyle style) throws Exception {
        String huge = "HTTP/1.1 200 OK\r\n" + ("X-Filler: " + "y".repeat(1000) + "\r\n").repeat(100) + "\r\n";
        assertEquals("the response headers are larger than 65536 bytes; is this an HTTP server?", failure(style, huge));
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void invalidContentLengthFails(ClientStyle style) throws Exception {
        assertEquals("invalid Content-Length header 'ten'", failure(style, "HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\nxx"));
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void badChunkSizeFails(ClientStyle style) throws Exception {
        assertEquals("invalid chunk size 'zz' (expected hexadecimal digits)",
                failure(style, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"));
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void chunkLongerThanItsSizeFails(ClientStyle style) throws Exception {
        assertEquals("chunk data is longer than its declared size (found 'lo' where CRLF should end the chunk)",
                failure(style, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n"));
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void truncatedContentLengthBodyFails(ClientStyle style) throws Exception {
        assertEquals("the response body was cut short: the connection closed after 5 of 100 bytes (Content-Length)",
                failure(style, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello"));
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void truncatedChunkedBodyFails(ClientStyle style) throws Exception {
        assertEquals("the chunked response body was cut short: the connection closed after 3 body bytes, before the last chunk",
                failure(style, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc"));
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void closeInTheHeadersFails(ClientStyle style) throws Exception {
        assertEquals("the server closed the connection in the middle of the response headers",
                failure(style, "HTTP/1.1 200 OK\r\nContent-Le"));
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void closeWithoutAnyResponseFails(ClientStyle style) throws Exception {
        assertEquals("the server closed the connection without sending a response", failure(style, ""));
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void aStalledServerTimesOut(ClientStyle style) throws Exception {
        try (RawHttpServer raw = RawHttpServer.stalling("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")) {
            String message = failure(style, raw.url("/x"), 5, Duration.ofMillis(300));
            assertEquals("timed out: no data from 127.0.0.1:" + raw.port() + " for 0.3 s while fetching " + raw.url("/x")
                    + "; raise it with idleTimeout (http-get --timeout SECONDS)", message);
        }
    }

    // https: HttpsGetTest.

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void refusedConnectionFailsInOneLine(ClientStyle style) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        String message = failure(style, URI.create("http://127.0.0.1:" + port + "/"), 5, Duration.ofSeconds(10));
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
    void basicHttpClientCollectsATenMebibyteResponse() throws Exception {
        int n = 10 * 1024 * 1024;
        try (SocketMap map = new SocketMap()) {
            BasicHttpClient client = new BasicHttpClient("127.0.0.1", jdk.port(), "/bytes?n=" + n, map);
            byte[] raw = Loops.runUntilDone(map, client.result(), LIMIT, "basic").join();
            int bodyStart = new String(raw, 0, 1024, StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n") + 4;
            assertEquals(n, raw.length - bodyStart);
            for (int i = 0; i < n; i++) {
                if (raw[bodyStart + i] != DemoHttpServer.byteAt(i)) {
                    throw new AssertionError("byte " + i + " differs");
                }
            }
        }
    }

    @Test
    void basicHttpClientSendsTheDocumentationsRequest() throws Exception {
        try (RawHttpServer raw = RawHttpServer.answering("HTTP/1.0 200 OK\r\n\r\nraw"); SocketMap map = new SocketMap()) {
            BasicHttpClient client = new BasicHttpClient("127.0.0.1", raw.port(), "/", map);
            assertArrayEquals("HTTP/1.0 200 OK\r\n\r\nraw".getBytes(StandardCharsets.US_ASCII),
                    Loops.runUntilDone(map, client.result(), LIMIT, "basic").join());
            assertEquals(List.of("GET / HTTP/1.0\r\nHost: 127.0.0.1:" + raw.port() + "\r\n\r\n"), raw.requests());
        }
    }
}
