package io.asyncore;

/** The kind of socket {@link Dispatcher#createSocket(java.net.ProtocolFamily, SocketType)} opens: Python's {@code SOCK_STREAM}/{@code SOCK_DGRAM}. */
public enum SocketType {
    /** A connection-oriented stream socket (TCP, or a Unix-domain stream socket). */
    STREAM,
    /** A datagram socket (UDP). */
    DATAGRAM
}
