package io.asyncore.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.Tls;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our callback-style HTTP/1.1 client (an AsyncChat) against nginx with {@code ssl}: files and a redirect chain. */
class NginxTest extends InteropTestBase {
    private static final int MAX_REDIRECTS = 5;
    private Pki pki;

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void ourClientGetsAFileFromNginxOverTls(String protocol) throws IOException {
        try (Nginx nginx = startNginx()) {
            Files.writeString(nginx.root.resolve("hello.txt"), "hello over TLS from nginx\n");
            HttpGet get = get(nginx, URI.create("https://localhost:" + nginx.httpsPort + "/hello.txt"), protocol);
            assertEquals(200, get.status, nginx::describe);
            assertEquals("text/plain", get.headers.get("content-type"), nginx::describe);
            assertEquals("hello over TLS from nginx\n", get.body.toString(StandardCharsets.UTF_8), nginx::describe);
            assertEquals(protocol, get.protocol, nginx::describe);
        }
    }

    @Test
    void ourClientFollowsARedirectChainFromHttpToHttpsAndGetsAMebibyteByteExact() throws IOException {
        try (Nginx nginx = startNginx()) {
            byte[] blob = new byte[1 << 20];
            new Random(7).nextBytes(blob);
            Files.createDirectories(nginx.root.resolve("files"));
            Files.write(nginx.root.resolve("files/blob.bin"), blob);

            URI uri = URI.create("http://localhost:" + nginx.httpPort + "/start");
            List<String> chain = new ArrayList<>();
            HttpGet get;
            while (true) {
                chain.add(uri.toString());
                get = get(nginx, uri, null);
                if (get.status / 100 != 3) {
                    break;
                }
                assertTrue(chain.size() <= MAX_REDIRECTS, () -> "more than " + MAX_REDIRECTS + " redirects: " + chain);
                uri = uri.resolve(get.headers.get("location"));
            }
            String https = "https://localhost:" + nginx.httpsPort;
            assertEquals(List.of("http://localhost:" + nginx.httpPort + "/start", https + "/start", https + "/moved",
                    https + "/files/blob.bin"), chain, nginx::describe);
            assertEquals(200, get.status, nginx::describe);
            assertEquals(String.valueOf(blob.length), get.headers.get("content-length"), nginx::describe);
            assertArrayEquals(blob, get.body.toByteArray(), nginx::describe);
            assertEquals("TLSv1.3", get.protocol, nginx::describe);
        }
    }

    @Test
    void aMissingFileIsA404OverTlsWithItsBody() throws IOException {
        try (Nginx nginx = startNginx()) {
            HttpGet get = get(nginx, URI.create("https://localhost:" + nginx.httpsPort + "/no/such/file"), null);
            assertEquals(404, get.status, nginx::describe);
            assertTrue(get.body.toString(StandardCharsets.UTF_8).contains("404 Not Found"), nginx::describe);
        }
    }

    private Nginx startNginx() throws IOException {
        Path nginx = Tools.require("nginx", "nginx-light");
        pki = pki();
        return Nginx.start(nginx, dir, pki);
    }

    /** One GET of {@code uri}, run to the end of its connection (which nginx closes cleanly). */
    private HttpGet get(Nginx nginx, URI uri, String protocol) throws IOException {
        HttpGet get = new HttpGet(map, uri, Tls.trusting(pki.ca()), protocol);
        Loop.until(map, "the response to GET " + uri, get::finished, nginx::describe);
        assertNull(get.error, () -> "GET " + uri + " failed: " + get.error + "\n" + nginx.describe());
        assertTrue(get.complete, () -> "GET " + uri + ": the body is cut short (" + get.body.size() + " bytes)\n"
                + nginx.describe());
        return get;
    }
}
