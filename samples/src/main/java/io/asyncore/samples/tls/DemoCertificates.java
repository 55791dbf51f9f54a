package io.asyncore.samples.tls;

import io.asyncore.Tls;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.net.ssl.SSLContext;

/**
 * The certificate the demo serves TLS with: NOT FOR PRODUCTION — demo only, the private key is
 * public (it ships in the samples jar). A CA and a server certificate it signs for
 * {@code 127.0.0.1}, {@code ::1} and {@code localhost}, valid for 100 years; see the README beside
 * them in {@code src/main/resources/io/asyncore/samples/tls}.
 *
 * <p>The commands take files ({@code --cacert}, {@code --tls-cert}, {@code --tls-key}), so
 * {@link #extract()} writes copies to a temporary folder, deleted when the JVM exits.
 *
 * @param folder where the copies are
 */
public record DemoCertificates(Path folder) {
    /** What every line that mentions them says. */
    public static final String WARNING = "NOT FOR PRODUCTION — demo only, the private key is public";

    private static final String CA = "demo-ca.NOT-FOR-PRODUCTION.pem";
    private static final String CHAIN = "demo-server.NOT-FOR-PRODUCTION.pem";
    private static final String KEY = "demo-server-key.NOT-FOR-PRODUCTION.pem";

    /** Writes the demo CA, server certificate and key to a new temporary folder. */
    public static DemoCertificates extract() throws IOException {
        Path folder = Files.createTempDirectory("asyncore-demo-tls-");
        folder.toFile().deleteOnExit();
        for (String name : new String[] {CA, CHAIN, KEY}) {
            try (InputStream in = DemoCertificates.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IOException("the samples jar has no " + name + " beside " + DemoCertificates.class.getName()
                            + ": rebuild it (mvn -pl samples -am package)");
                }
                Path file = folder.resolve(name);
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                file.toFile().deleteOnExit(); // registered after the folder, so deleted before it
            }
        }
        return new DemoCertificates(folder);
    }

    /** The demo CA's certificate (PEM): what a client trusts, {@code http-get --cacert}. */
    public Path ca() {
        return folder.resolve(CA);
    }

    /** The server's certificate chain (PEM): {@code echo-server --tls-cert}. */
    public Path serverChain() {
        return folder.resolve(CHAIN);
    }

    /** The server's unencrypted PKCS#8 key (PEM), which is public: {@code echo-server --tls-key}. */
    public Path serverKey() {
        return folder.resolve(KEY);
    }

    /** A server context with the demo certificate ({@link Tls#server}). */
    public SSLContext serverContext() {
        try {
            return Tls.server(serverChain(), serverKey());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A client context that trusts the demo CA only ({@link Tls#trusting}). */
    public SSLContext clientContext() {
        try {
            return Tls.trusting(ca());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
