package io.asyncore.samples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.SocketMap;
import io.asyncore.samples.Loops;
import io.asyncore.samples.cli.CoroutineSamples;
import io.asyncore.samples.tls.DemoCertificates;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** AsyncHttp over https against the JDK's HttpsServer with the demo certificate, on loopback. */
@Timeout(60)
class HttpsGetTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static DemoCertificates certs;
    private static DemoHttpServer https;
    private static DemoHttpServer http;

    @BeforeAll
    static void startServers() throws IOException {
        certs = DemoCertificates.extract();
        https = DemoHttpServer.startHttps(certs.serverContext());
        http = DemoHttpServer.start();
    }

    @AfterAll
    static void stopServers() {
        https.close();
        http.close();
    }

    /** What a GET of {@code url} following redirects gave, trusting {@code trust} (null: the JDK's store). */
    record Fetched(HttpResponse response, List<URI> chain) {
    }

    private static Fetched fetch(URI url, HttpLimits limits, SSLContext trust) throws HttpException {
        try (SocketMap map = new SocketMap()) {
            BufferingConsumer response = new BufferingConsumer();
            RedirectingConsumer redirecting = new RedirectingConsumer(response, map, 5, limits, trust);
            redirecting.start(url);
            try {
                return new Fetched(Loops.runUntilDone(map, response.result(), LIMIT, "GET " + url).join(), redirecting.chain());
            } catch (CompletionException e) {
                throw assertInstanceOf(HttpException.class, e.getCause());
            }
        }
    }

    private static Fetched fetch(URI url) throws HttpException {
        return fetch(url, HttpLimits.DEFAULTS, certs.clientContext());
    }

    private static String failure(URI url, HttpLimits limits, SSLContext trust) {
        try {
            fetch(url, limits, trust);
        } catch (HttpException e) {
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
            return e.getMessage();
        }
        throw new AssertionError("GET " + url + " succeeded");
    }

    private static URI redirectTo(DemoHttpServer from, URI to) {
        return from.url("/redirect?to=" + URLEncoder.encode(to.toString(), StandardCharsets.UTF_8));
    }

    @Test
    void aContentLengthPageArrivesOverTls() throws Exception {
        HttpResponse r = fetch(https.url("/page")).response();
        assertEquals("HTTP/1.1 200 OK", r.head().statusLine());
        assertEquals(String.valueOf(DemoHttpServer.PAGE.length()), r.head().header("Content-Length").orElseThrow());
        assertEquals(DemoHttpServer.PAGE, new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void aChunkedPageArrivesOverTls() throws Exception {
        HttpResponse r = fetch(https.url("/chunked")).response();
        assertEquals("chunked", r.head().header("Transfer-Encoding").orElseThrow());
        assertEquals(String.join("", DemoHttpServer.CHUNKS), new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void aLargeBodyArrivesWholeAndInOrderOverTls() throws Exception {
        int n = 3 * 1024 * 1024 + 17; // many TLS records, the last one partial
        HttpResponse r = fetch(https.url("/bytes?n=" + n)).response();
        assertEquals(n, r.body().length);
        for (int i = 0; i < n; i++) {
            if (r.body()[i] != DemoHttpServer.byteAt(i)) {
                throw new AssertionError("byte " + i + " differs");
            }
        }
    }

    @Test
    void aRedirectChainStaysOnHttps() throws Exception {
        Fetched f = fetch(https.url("/hop/1"));
        assertEquals(200, f.response().head().code());
        assertEquals(6, f.chain().size());
        assertTrue(f.chain().stream().allMatch(u -> u.getScheme().equals("https")), f.chain()::toString);
    }

    @Test
    void aRedirectFromHttpToHttpsIsFollowed() throws Exception {
        URI target = https.url("/page");
        Fetched f = fetch(redirectTo(http, target));
        assertEquals(List.of(redirectTo(http, target), target), f.chain());
        assertEquals(DemoHttpServer.PAGE, new String(f.response().body(), StandardCharsets.UTF_8));
    }

    @Test
    void aRedirectFromHttpsBackToHttpIsFollowed() throws Exception {
        URI target = http.url("/chunked");
        Fetched f = fetch(redirectTo(https, target));
        assertEquals(List.of(redirectTo(https, target), target), f.chain());
        assertEquals(String.join("", DemoHttpServer.CHUNKS), new String(f.response().body(), StandardCharsets.UTF_8));
    }

    @Test
    void anUntrustedCertificateFailsInOneLineSayingSo() {
        String message = failure(https.url("/page"), HttpLimits.DEFAULTS, null); // the JDK's trust store
        assertTrue(message.startsWith("the peer's certificate is not trusted: "), message);
        assertTrue(message.contains("127.0.0.1:" + https.port()), message);
    }

    @Test
    void aBodyOverTheLimitFailsOverTls() {
        String message = failure(https.url("/bytes?n=100000"), HttpLimits.DEFAULTS.withMaxBodyBytes(1024), certs.clientContext());
        assertTrue(message.contains("1024"), message);
    }

    @Test
    void theWholeRequestTimeoutHoldsAgainstAServerThatNeverAnswersTheHandshake() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 4, InetAddress.getByName("127.0.0.1"))) {
            Thread acceptor = new Thread(() -> {
                try (Socket held = silent.accept()) {
                    held.getInputStream().readAllBytes(); // read the ClientHello and never answer
                } catch (IOException e) {
                    // the test is over
                }
            }, "silent-tls-server");
            acceptor.setDaemon(true);
            acceptor.start();
            URI url = URI.create("https://127.0.0.1:" + silent.getLocalPort() + "/");
            String message = failure(url, HttpLimits.DEFAULTS.withRequestTimeout(Duration.ofMillis(500)), certs.clientContext());
            assertTrue(message.startsWith("timed out"), message);
            assertTrue(message.contains(url.toString()), message);
        }
    }

    @Test
    void theCoroutineStyleRefusesHttpsClearlyForNow() {
        try (SocketMap map = new SocketMap()) {
            HttpException e = org.junit.jupiter.api.Assertions.assertThrows(HttpException.class,
                    () -> CoroutineSamples.httpGet(map, https.url("/page"), 5, HttpLimits.DEFAULTS, to -> { }));
            assertTrue(e.getMessage().startsWith("https is not available in the coroutine style yet"), e.getMessage());
        }
    }
}
