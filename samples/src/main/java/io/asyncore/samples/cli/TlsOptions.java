package io.asyncore.samples.cli;

import io.asyncore.Tls;
import io.asyncore.samples.SampleException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;

/**
 * The TLS options of the commands ({@code http-get --cacert}, {@code echo-server --tls-cert
 * --tls-key}) turned into contexts, with errors that name the option and the file.
 */
final class TlsOptions {
    private TlsOptions() {
    }

    /** {@code --cacert FILE}: a client context trusting the CAs in {@code caPem}, or {@code null} when not given. */
    static SSLContext trusting(Path caPem) throws IOException {
        if (caPem == null) {
            return null;
        }
        readable("--cacert", caPem);
        return Tls.trusting(caPem);
    }

    /**
     * {@code --tls-cert FILE --tls-key FILE}: a server context, or {@code null} when neither is given.
     *
     * @throws SampleException if only one is given, or a file is missing or unusable
     */
    static SSLContext server(Path certPem, Path keyPem) throws IOException {
        if (certPem == null && keyPem == null) {
            return null;
        }
        if (certPem == null || keyPem == null) {
            throw new SampleException((certPem == null ? "--tls-key without --tls-cert" : "--tls-cert without --tls-key")
                    + ": TLS needs both, the PEM certificate chain (--tls-cert FILE) and its unencrypted PKCS#8 key "
                    + "(--tls-key FILE)");
        }
        readable("--tls-cert", certPem);
        readable("--tls-key", keyPem);
        return Tls.server(certPem, keyPem);
    }

    private static void readable(String option, Path file) throws SampleException {
        if (!Files.isRegularFile(file)) {
            throw new SampleException(option + " " + file + ": no such file");
        }
        if (!Files.isReadable(file)) {
            throw new SampleException(option + " " + file + ": the file cannot be read (check its permissions)");
        }
    }
}
