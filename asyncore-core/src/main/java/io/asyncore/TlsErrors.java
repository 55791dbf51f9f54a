package io.asyncore;

import java.security.cert.CertificateExpiredException;
import java.util.Locale;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Turns the JDK's TLS failures into one exception whose message starts with what was wrong, in
 * words a user can act on, and keeps the JDK's own text and the original as the cause.
 */
final class TlsErrors {
    private TlsErrors() {
    }

    static SSLException explain(SSLException e, boolean handshaking) {
        String why = reason(e);
        if (why == null) {
            return e;
        }
        String message = why + " (" + e.getMessage() + ")";
        SSLException clear = handshaking || e instanceof SSLHandshakeException
                ? new SSLHandshakeException(message) : new SSLException(message);
        clear.initCause(e);
        return clear;
    }

    private static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateExpiredException) {
                return "the peer's certificate has expired or is not yet valid";
            }
        }
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (m.contains("pkix path") || m.contains("unable to find valid certification path")) {
            return "the peer's certificate is not trusted: no CA in the trust store signed it "
                    + "(give the CA's certificate, for example with --cacert)";
        }
        if (m.contains("no subject alternative") || m.contains("no name matching")) {
            return "the peer's certificate does not match the host name it was reached by";
        }
        if (m.contains("validity check failed") || m.contains("certificate expired")
                || m.contains("notafter") || m.contains("expired")) {
            return "the peer's certificate has expired or is not yet valid";
        }
        if (m.contains("no appropriate protocol") || m.contains("protocol_version")
                || m.contains("unsupported protocol") || m.contains("protocol version")) {
            return "no TLS version in common with the peer";
        }
        if (m.contains("no cipher suites in common") || m.contains("handshake_failure")
                || m.contains("insufficient_security")) {
            return "no cipher suite or TLS parameter in common with the peer";
        }
        if (m.contains("unsupported or unrecognized ssl message") || m.contains("plaintext connection")) {
            return "the peer does not speak TLS (a plaintext peer on a TLS port?)";
        }
        if (m.contains("certificate_unknown") || m.contains("bad_certificate") || m.contains("unknown_ca")) {
            return "the peer refused our certificate";
        }
        return null;
    }
}
