package io.asyncore.samples.starttls;

/** The words both ends of the STARTTLS sample's line protocol use. */
final class StartTlsProtocol {
    /** What ends every line. */
    static final String CRLF = "\r\n";
    /** The command that upgrades the connection. */
    static final String STARTTLS = "STARTTLS";
    /** The reply to {@link #STARTTLS} after which both ends start TLS. */
    static final String GO_AHEAD = "220 go ahead";
    /** The longest line either end accepts, CRLF included. */
    static final int MAX_LINE = 1024;

    private StartTlsProtocol() {
    }
}
