package io.asyncore.samples.cli;

import static io.asyncore.samples.cli.MainTest.oneLineError;
import static io.asyncore.samples.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.SocketMap;
import io.asyncore.samples.BackgroundLoop;
import io.asyncore.samples.http.DemoHttpServer;
import io.asyncore.samples.starttls.StartTlsServer;
import io.asyncore.samples.tls.DemoCertificates;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The TLS options of the commands, run as a user types them, against loopback servers with the demo certificate. */
@Timeout(60)
class TlsCommandsTest {
    private static DemoCertificates certs;
    private static DemoHttpServer https;
    private static DemoHttpServer http;

    @BeforeAll
    static void startServers() throws Exception {
        certs = DemoCertificates.extract();
        https = DemoHttpServer.startHttps(certs.serverContext());
        http = DemoHttpServer.start();
    }

    @AfterAll
    static void stopServers() {
        https.close();
        http.close();
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void httpGetFetchesAnHttpsUrlTrustingTheCaOfCacert(ClientStyle style) {
        MainTest.Run r = run("http-get", "--style", style.name(), "--cacert", certs.ca().toString(), https.url("/page").toString());
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("HTTP/1.1 200 OK"), r.out());
        assertTrue(r.out().endsWith(DemoHttpServer.PAGE), r.out());
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void httpGetFollowsARedirectFromHttpToHttps(ClientStyle style) {
        String target = https.url("/chunked").toString();
        String start = http.url("/redirect?to=" + URLEncoder.encode(target, StandardCharsets.UTF_8)).toString();
        MainTest.Run r = run("http-get", "--style", style.name(), "--cacert", certs.ca().toString(), start);
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().endsWith(String.join("", DemoHttpServer.CHUNKS)), r.out());
        assertEquals("followed 1 redirect(s): " + start + " -> " + target, r.err().strip());
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void httpGetOfAnUntrustedCertificatePrintsOneErrorLineSayingSo(ClientStyle style) {
        String error = oneLineError(run("http-get", "--style", style.name(), https.url("/page").toString())); // the JDK's trust store
        assertTrue(error.startsWith("error: the peer's certificate is not trusted: "), error);
    }

    @ParameterizedTest
    @EnumSource(ClientStyle.class)
    void httpGetMaxBodyHoldsOverHttps(ClientStyle style) {
        String error = oneLineError(run("http-get", "--style", style.name(), "--cacert", certs.ca().toString(), "--max-body", "1K",
                https.url("/bytes?n=100000").toString()));
        assertTrue(error.contains("1024"), error);
    }

    @Test
    void httpGetNamesAMissingCacertFile() {
        assertEquals("error: --cacert /no/such/ca.pem: no such file",
                oneLineError(run("http-get", "--cacert", "/no/such/ca.pem", https.url("/page").toString())));
    }

    @Test
    void httpGetNamesACacertFileThatHoldsNoCertificate() {
        String error = oneLineError(run("http-get", "--cacert", certs.serverKey().toString(), https.url("/page").toString()));
        assertTrue(error.contains(certs.serverKey().toString()) && error.contains("no"), error);
    }

    @Test
    void starttlsClientPrintsTheConversationMovingToTls() throws Exception {
        SocketMap map = new SocketMap();
        StartTlsServer server = new StartTlsServer(new InetSocketAddress("127.0.0.1", 0), map, certs.serverContext(),
                peer -> { }, (peer, e) -> { });
        String port = String.valueOf(server.port());
        try (BackgroundLoop loop = BackgroundLoop.start(map, "starttls-server")) {
            MainTest.Run r = run("starttls-client", "127.0.0.1", "--port", port, "--cacert", certs.ca().toString());
            assertEquals(0, r.code(), r::toString);
            assertTrue(r.out().contains("S: 530 STARTTLS first") && r.out().contains("S: 220 go ahead")
                    && r.out().contains("== TLS TLSv1.3") && r.out().contains("S: 250 the secret is 42")
                    && r.out().endsWith("S: 221 bye" + System.lineSeparator()), r.out());

            String error = oneLineError(run("starttls-client", "127.0.0.1", "--port", port, "STARTTLS", "SECRET"));
            assertTrue(error.startsWith("error: the peer's certificate is not trusted: "), error);

            MainTest.Run c = run("starttls-client", "127.0.0.1", "--port", port, "--style", "coroutine", "--cacert",
                    certs.ca().toString());
            assertEquals(0, c.code(), c::toString);
            assertTrue(c.out().contains("S: 530 STARTTLS first") && c.out().contains("S: 220 go ahead" + System.lineSeparator()
                    + "== TLS TLSv1.3") && c.out().contains("S: 250 the secret is 42")
                    && c.out().endsWith("S: 221 bye" + System.lineSeparator()), c.out());
            String coroutineError = oneLineError(run("starttls-client", "127.0.0.1", "--port", port, "--style", "coroutine",
                    "STARTTLS", "SECRET"));
            assertTrue(coroutineError.startsWith("error: the peer's certificate is not trusted: "), coroutineError);
        }
    }

    @Test
    void theDemoRunsEveryTlsSampleAndSaysItsKeyIsPublic() {
        MainTest.Run r = run("demo");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("NOT FOR PRODUCTION — demo only, the private key is public"), r.out());
        String tls = r.out().substring(r.out().indexOf("TLS, callback style"), r.out().indexOf("coroutine style"));
        for (String step : new String[] {"http-get https:// /page", "http-get https:// /chunked", "http-get http -> https",
                "TLS echo client", "STARTTLS client", "STARTTLS injection"}) {
            assertTrue(tls.contains("  " + step + " "), () -> step + ": " + r.out());
        }
        assertTrue(tls.contains("refused as expected, exit code 1: error: the peer's certificate is not trusted"), r.out());
        assertTrue(tls.contains("220 go ahead | == TLS TLSv1.3"), r.out());
        String coroutineTls = r.out().substring(r.out().indexOf("TLS, coroutine style"));
        for (String step : new String[] {"http-get https:// /page", "http-get https:// /chunked", "http-get http -> https",
                "TLS echo client", "TLS echo server (Flow)", "mixed TLS echo server", "STARTTLS client"}) {
            assertTrue(coroutineTls.contains("  " + step + " "), () -> step + ": " + r.out());
        }
        assertTrue(coroutineTls.contains("refused as expected, exit code 1: error: the peer's certificate is not trusted"), r.out());
        assertTrue(coroutineTls.contains("220 go ahead | == TLS TLSv1.3"), r.out());
        assertTrue(coroutineTls.contains("connections served by callback, coroutine, callback, coroutine"), r.out());
        assertTrue(!r.out().contains("FAILED"), r.out());
    }
}
