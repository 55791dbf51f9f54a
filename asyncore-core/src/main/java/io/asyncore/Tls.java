package io.asyncore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS engines made the safe way, for {@link Dispatcher#startTls(SSLEngine)} and the coroutine
 * module's {@code startTls}.
 *
 * <pre>{@code
 * client.startTls(Tls.clientEngine("example.org", 443));          // JDK trust store, SNI, host-name check
 * client.startTls(Tls.clientEngine(Tls.trusting(caPem), "localhost", 8443));
 * conn.startTls(Tls.serverEngine(Tls.server(chainPem, keyPem)));  // PEM chain, unencrypted PKCS#8 key
 * }</pre>
 *
 * <p>A client engine always checks that the server's certificate is valid for the host name it
 * was given ("HTTPS" endpoint identification, which the JDK leaves off unless asked), and sends
 * that name as SNI also where the JDK would not (a name without a dot, such as
 * {@code localhost}); an IP literal is checked against the certificate's IP addresses and sent
 * without SNI, as the TLS specification requires.
 */
public final class Tls {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private Tls() {
    }

    /**
     * A client engine for {@code host:port} that trusts the JDK's default trust store, with SNI
     * and host-name verification on.
     *
     * @throws IllegalStateException if the JDK has no default TLS context
     */
    public static SSLEngine clientEngine(String host, int port) {
        try {
            return clientEngine(SSLContext.getDefault(), host, port);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no default TLS context: " + e.getMessage(), e);
        }
    }

    /**
     * A client engine from {@code context} (for example {@link #trusting(Path)}) for
     * {@code host:port}, with SNI and host-name verification on.
     *
     * @param host the name (or IP literal) the server's certificate must match
     * @param port the server's port, for session resumption
     */
    public static SSLEngine clientEngine(SSLContext context, String host, int port) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host is empty: give the name the server's certificate must match");
        }
        SSLEngine engine = context.createSSLEngine(host, port);
        engine.setUseClientMode(true);
        SSLParameters params = engine.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        if (!isIpLiteral(host)) {
            params.setServerNames(List.of(new SNIHostName(host)));
        }
        engine.setSSLParameters(params);
        return engine;
    }

    /** A server engine from {@code context} (for example {@link #server(Path, Path)}). */
    public static SSLEngine serverEngine(SSLContext context) {
        Objects.requireNonNull(context, "context");
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        return engine;
    }

    /**
     * A client context that trusts exactly the CA certificates in a PEM file, and not the JDK's
     * default store.
     *
     * @throws IOException if the file cannot be read or holds no certificate, naming the file
     */
    public static SSLContext trusting(Path caCertificatesPem) throws IOException {
        Objects.requireNonNull(caCertificatesPem, "caCertificatesPem");
        Collection<? extends Certificate> cas = certificates(caCertificatesPem);
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate ca : cas) {
                trust.setCertificateEntry("ca" + i++, ca);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot trust the certificates in " + caCertificatesPem + ": " + e.getMessage(), e);
        }
    }

    /**
     * A server context from a PEM certificate chain (the server's certificate first) and its
     * unencrypted PKCS#8 PEM private key ({@code -----BEGIN PRIVATE KEY-----}; RSA, EC or EdDSA).
     *
     * @throws IOException if a file cannot be read, holds no certificate, or holds a key in
     *     another form (the message says how to convert it), naming the file
     */
    public static SSLContext server(Path certificateChainPem, Path privateKeyPem) throws IOException {
        Objects.requireNonNull(certificateChainPem, "certificateChainPem");
        Objects.requireNonNull(privateKeyPem, "privateKeyPem");
        Certificate[] chain = certificates(certificateChainPem).toArray(new Certificate[0]);
        PrivateKey key = privateKey(privateKeyPem);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] none = new char[0];
            store.setKeyEntry("server", key, none, chain);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, none);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the key in " + privateKeyPem + " with the certificate in "
                    + certificateChainPem + ": " + e.getMessage(), e);
        }
    }

    private static Collection<? extends Certificate> certificates(Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IOException(pem + " holds no certificate: expected PEM blocks '-----BEGIN CERTIFICATE-----'");
            }
            return certs;
        } catch (GeneralSecurityException e) {
            throw new IOException(pem + " holds no readable certificate (expected PEM '-----BEGIN CERTIFICATE-----'): "
                    + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(Path pem) throws IOException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            switch (type) {
                case "PRIVATE KEY" -> {
                    byte[] der = Base64.getMimeDecoder().decode(m.group(2));
                    return pkcs8(der, pem);
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new IOException(pem + " holds an encrypted key; decrypt it: "
                        + "openssl pkcs8 -in " + pem + " -nocrypt -topk8 -out key.pem (after entering the password)");
                case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> throw new IOException(pem + " holds a " + type
                        + " (PKCS#1/SEC1 form); convert it to PKCS#8: openssl pkcs8 -topk8 -nocrypt -in " + pem + " -out key.pem");
                default -> { } // a certificate or parameters in the same file: look further
            }
        }
        throw new IOException(pem + " holds no private key: expected PEM '-----BEGIN PRIVATE KEY-----' (unencrypted PKCS#8)");
    }

    private static PrivateKey pkcs8(byte[] der, Path pem) throws IOException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException tryNext) {
                // not this algorithm
            }
        }
        throw new IOException(pem + " holds a PKCS#8 key of an algorithm the JDK cannot use here (RSA, EC and EdDSA work)");
    }

    private static boolean isIpLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true; // IPv6
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true; // digits and dots: an IPv4 literal
    }
}
