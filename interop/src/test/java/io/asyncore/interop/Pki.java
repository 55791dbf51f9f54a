package io.asyncore.interop;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A throwaway CA and a server certificate it signed, for {@code 127.0.0.1} and {@code localhost},
 * made by {@code openssl req} at test time (two commands; OpenSSL 3's {@code req -x509 -CA} signs
 * with the CA directly). EC P-256 keys in unencrypted PKCS#8 PEM, valid for two days.
 *
 * @param ca the CA certificate, to trust
 * @param certificate the server's certificate
 * @param key the server's private key
 */
record Pki(Path ca, Path certificate, Path key) {
    /** Makes the CA and the server certificate in {@code dir} with {@code openssl}. */
    static Pki create(Path openssl, Path dir) throws IOException {
        Path ca = dir.resolve("ca.pem");
        Path caKey = dir.resolve("ca-key.pem");
        Path cert = dir.resolve("server.pem");
        Path key = dir.resolve("server-key.pem");
        ExternalPeer.run(dir, List.of(openssl.toString(), "req", "-x509", "-newkey", "ec",
                "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-subj", "/CN=asyncore interop test CA (throwaway)",
                "-keyout", caKey.toString(), "-out", ca.toString()));
        ExternalPeer.run(dir, List.of(openssl.toString(), "req", "-x509", "-newkey", "ec",
                "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-subj", "/CN=localhost", "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-addext", "basicConstraints=critical,CA:FALSE",
                "-addext", "extendedKeyUsage=serverAuth",
                "-keyout", key.toString(), "-out", cert.toString()));
        return new Pki(ca, cert, key);
    }
}
