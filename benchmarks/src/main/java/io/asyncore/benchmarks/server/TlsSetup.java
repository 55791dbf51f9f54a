package io.asyncore.benchmarks.server;

import io.asyncore.Tls;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * The TLS settings every TLS echo server of the comparison shares (issue 13): TLS 1.3 only, the
 * one cipher suite {@value #CIPHER}, and the certificate chain and key that {@code run.sh} makes
 * for the run, named by the system properties {@value #CERT_PROPERTY} and {@value #KEY_PROPERTY}
 * (a PEM chain and an unencrypted PKCS#8 PEM key). The key exchange group, X25519, is the only one
 * the load generator offers, and it checks on every connection that this is what was negotiated;
 * {@code run.sh} also starts the JDK servers with {@code -Djdk.tls.namedGroups=x25519}.
 *
 * <p>Nothing here runs per connection except {@link #restrict(SSLEngine)}, which sets what the
 * context already allows on the JDK.
 */
final class TlsSetup {
    static final String PROTOCOL = "TLSv1.3";
    static final String CIPHER = "TLS_AES_128_GCM_SHA256";
    static final String CERT_PROPERTY = "bench.tls.cert";
    static final String KEY_PROPERTY = "bench.tls.key";

    private static final String[] PROTOCOLS = {PROTOCOL};
    private static final String[] CIPHERS = {CIPHER};

    private TlsSetup() {
    }

    /** The JDK context of the asyncore and raw NIO servers, from the run's certificate and key. */
    static SSLContext jdkContext(String server) throws IOException {
        return Tls.server(file(server, CERT_PROPERTY), file(server, KEY_PROPERTY));
    }

    /** Limits a JDK engine to TLS 1.3 with {@value #CIPHER}; returns it. */
    static SSLEngine restrict(SSLEngine engine) {
        engine.setEnabledProtocols(PROTOCOLS);
        engine.setEnabledCipherSuites(CIPHERS);
        return engine;
    }

    /**
     * A Netty server context on {@code provider} ({@link SslProvider#JDK}, or
     * {@link SslProvider#OPENSSL} for BoringSSL through netty-tcnative), limited as the JDK ones.
     */
    static SslContext nettyContext(String server, SslProvider provider) throws IOException {
        return SslContextBuilder.forServer(file(server, CERT_PROPERTY).toFile(), file(server, KEY_PROPERTY).toFile())
                .sslProvider(provider)
                .protocols(PROTOCOL)
                .ciphers(List.of(CIPHER))
                .build();
    }

    private static Path file(String server, String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            fail(server, "-D" + property + "=<file> is not set: run.sh passes the certificate chain (" + CERT_PROPERTY
                    + ") and the PKCS#8 key (" + KEY_PROPERTY + ") it made for the run");
        }
        Path p = Path.of(value);
        if (!Files.isReadable(p)) {
            fail(server, "-D" + property + " names " + p + ", which is not a readable file");
        }
        return p;
    }

    private static void fail(String server, String problem) {
        System.err.println(server + ": " + problem);
        System.exit(2);
    }
}
