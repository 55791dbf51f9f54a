package io.asyncore.samples.cli;

import java.io.IOException;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Option;

/** The server commands' {@code --tls-cert FILE --tls-key FILE} (a picocli mixin). */
final class TlsServerOptions {
    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Serve TLS with this PEM certificate chain (the server's certificate first); needs --tls-key.")
    private Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "The private key of --tls-cert: an unencrypted PKCS#8 PEM file (-----BEGIN PRIVATE KEY-----).")
    private Path tlsKey;

    /**
     * The server context of the two files, or {@code null} when neither option was given.
     *
     * @throws io.asyncore.samples.SampleException if only one was given, or a file is missing or unusable
     */
    SSLContext context() throws IOException {
        return TlsOptions.server(tlsCert, tlsKey);
    }
}
