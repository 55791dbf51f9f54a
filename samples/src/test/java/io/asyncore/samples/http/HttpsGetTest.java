package io.asyncore.samples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.SocketMap;
import io.asyncore.samples.Loops;
import io.asyncore.samples.cli.ClientStyle;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Both HTTP clients over https (callback {@link AsyncHttp}, coroutine {@code httpGet}) against the JDK's
 * HttpsServer with the demo certificate, on loopback.
 */
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

    private static Fetched fetch(ClientStyle style, URI url, HttpLimits limits, SSLContext trust) throws IOException {
        try (SocketMap map = new SocketMap()) {
            if (style == ClientStyle.coroutine) {
                List<URI> chain = new ArrayList<>(List.of(url));
                return new Fetched(CoroutineSamples.httpGet(map, url, 5, limits, trust, chain::add), chain);
            }
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

    private static Fetched fetch(ClientStyle style, URI url) throws IOException {
        return fetch(style, url, HttpLimits.DEFAULTS, certs.clientContext());
    }

    private static String failure(ClientStyle style, URI url, HttpLimits limits, SSLContext trust) throws IOException {
        try {
            fetch(style, url, limits, trust);
        } catch (HttpException e) {
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
            return e.getMessage();
        }
        throw new AssertionError("GET " + url + " succeeded");
    }

    private static URI redirectTo(DemoHttpServer from, URI to) {
        return from.url("/redirect?to=" + URLEncoder.encode(to.toString(), StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void aContentLengthPageArrivesOverTls(ClientStyle style) throws Exception {
        HttpResponse r = fetch(style, https.url("/page")).response();
        assertEquals("HTTP/1.1 200 OK", r.head().statusLine());
        assertEquals(String.valueOf(DemoHttpServer.PAGE.length()), r.head().header("Content-Length").orElseThrow());
        assertEquals(DemoHttpServer.PAGE, new String(r.body(), StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void aChunkedPageArrivesOverTls(ClientStyle style) throws Exception {
        HttpResponse r = fetch(style, https.url("/chunked")).response();
        assertEquals("chunked", r.head().header("Transfer-Encoding").orElseThrow());
        assertEquals(String.join("", DemoHttpServer.CHUNKS), new String(r.body(), StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void aLargeBodyArrivesWholeAndInOrderOverTls(ClientStyle style) throws Exception {
        int n = 3 * 1024 * 1024 + 17; // many TLS records, the last one partial
        HttpResponse r = fetch(style, https.url("/bytes?n=" + n)).response();
        assertEquals(n, r.body().length);
        for (int i = 0; i < n; i++) {
            if (r.body()[i] != DemoHttpServer.byteAt(i)) {
                throw new AssertionError("byte " + i + " differs");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void aRedirectChainStaysOnHttps(ClientStyle style) throws Exception {
        Fetched f = fetch(style, https.url("/hop/1"));
        assertEquals(200, f.response().head().code());
        assertEquals(6, f.chain().size());
        assertTrue(f.chain().stream().allMatch(u -> u.getScheme().equals("https")), f.chain()::toString);
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void aRedirectFromHttpToHttpsIsFollowed(ClientStyle style) throws Exception {
        URI target = https.url("/page");
        Fetched f = fetch(style, redirectTo(http, target));
        assertEquals(List.of(redirectTo(http, target), target), f.chain());
        assertEquals(DemoHttpServer.PAGE, new String(f.response().body(), StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void aRedirectFromHttpsBackToHttpIsFollowed(ClientStyle style) throws Exception {
        URI target = http.url("/chunked");
        Fetched f = fetch(style, redirectTo(https, target));
        assertEquals(List.of(redirectTo(https, target), target), f.chain());
        assertEquals(String.join("", DemoHttpServer.CHUNKS), new String(f.response().body(), StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void anUntrustedCertificateFailsInOneLineSayingSo(ClientStyle style) throws Exception {
        String message = failure(style, https.url("/page"), HttpLimits.DEFAULTS, null); // the JDK's trust store
        assertTrue(message.startsWith("the peer's certificate is not trusted: "), message);
        assertTrue(message.contains("127.0.0.1:" + https.port()), message);
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void aBodyOverTheLimitFailsOverTls(ClientStyle style) throws Exception {
        String message = failure(style, https.url("/bytes?n=100000"), HttpLimits.DEFAULTS.withMaxBodyBytes(1024), certs.clientContext());
        assertTrue(message.contains("1024"), message);
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void theWholeRequestTimeoutHoldsAgainstAServerThatNeverAnswersTheHandshake(ClientStyle style) throws Exception {
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
            String message = failure(style, url, HttpLimits.DEFAULTS.withRequestTimeout(Duration.ofMillis(500)), certs.clientContext());
            assertTrue(message.startsWith("timed out"), message);
            assertTrue(message.contains(url.toString()), message);
        }
    }
}
